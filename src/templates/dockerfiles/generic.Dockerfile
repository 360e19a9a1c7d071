# Template for any language. Three places need your attention, marked
# (1) base image, (2) dependencies and build, (3) entrypoint.
# Everything else (network tools, /app, the data volume, port 8080) is what
# clstr expects from every image; keep it.

# (1) Base image: an official image for your language, Debian or Ubuntu based
# so apt-get works below. For example:
#   FROM golang:1.24
#   FROM python:3.13-slim
#   FROM node:22-slim
#   FROM rust:1.85
#   FROM eclipse-temurin:21
#   FROM elixir:1.18
#   FROM ruby:3.4-slim
#   FROM mcr.microsoft.com/dotnet/sdk:9.0
FROM debian:bookworm-slim

# Required: clstr uses iptables and iproute2 (tc) inside the container to
# inject network faults such as partitions, delay and packet loss.
RUN apt-get update \
    && apt-get install -y --no-install-recommends iptables iproute2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# (2a) Dependencies. Copy only the manifest files first and install from
# them, so Docker caches this layer until the dependencies change:
#   COPY go.mod go.sum ./            then  RUN go mod download
#   COPY requirements.txt ./         then  RUN pip install -r requirements.txt
#   COPY package.json package-lock.json ./   then  RUN npm ci
#   COPY Gemfile Gemfile.lock ./     then  RUN bundle install
#   COPY *.csproj ./                 then  RUN dotnet restore

# Then the rest of your code.
COPY . .

# (2b) Build step, for compiled languages. For example:
#   RUN go build -o server .
#   RUN cargo build --release
#   RUN npm run build
#   RUN dotnet publish -c Release -o out
# Interpreted languages (Python, Ruby, plain JavaScript) can skip this.

# clstr sets DATA_DIR to this directory; files here survive node restarts.
VOLUME ["/app/data"]

# Your server listens on the address in ADDR; the port is always 8080.
EXPOSE 8080

# (3) Entrypoint: start exactly one node, in the foreground. Use the exec
# (JSON array) form so your process receives SIGTERM directly. For example:
#   ENTRYPOINT ["./server"]                        (Go, or any binary)
#   ENTRYPOINT ["./target/release/server"]         (Rust)
#   ENTRYPOINT ["python", "server.py"]             (Python)
#   ENTRYPOINT ["node", "dist/server.js"]          (Node.js / TypeScript)
#   ENTRYPOINT ["ruby", "server.rb"]               (Ruby)
#   ENTRYPOINT ["dotnet", "out/Server.dll"]        (C#)
ENTRYPOINT ["./server"]
