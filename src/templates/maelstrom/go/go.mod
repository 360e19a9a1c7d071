module node

go 1.18
