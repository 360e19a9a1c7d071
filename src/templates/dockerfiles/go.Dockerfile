# Go 1.24. Builds the main package in the repository root into ./server.
FROM golang:1.24

# iptables and iproute2 let clstr inject network faults inside the container.
RUN apt-get update \
    && apt-get install -y --no-install-recommends iptables iproute2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Module files first so downloaded modules stay cached between builds.
# (go.sum is optional: a module without dependencies has none.)
COPY go.mod go.sum* ./
RUN go mod download

COPY . .
# Point this at ./cmd/<name> if your main package lives in a subdirectory.
RUN go build -o server .

# DATA_DIR points here; it survives restarts of the node.
VOLUME ["/app/data"]

EXPOSE 8080
ENTRYPOINT ["./server"]
