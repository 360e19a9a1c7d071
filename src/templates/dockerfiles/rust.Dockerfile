# Rust 1.85. Expects a Cargo package named "server" with its code in src/.
FROM rust:1.85

# iptables and iproute2 let clstr inject network faults inside the container.
RUN apt-get update \
    && apt-get install -y --no-install-recommends iptables iproute2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Compile the dependencies against a placeholder main.rs, so this slow layer
# is only rebuilt when Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock* ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && cargo build --release \
    && rm -rf src

# Now the real sources; touch makes cargo rebuild over the placeholder.
COPY src ./src
RUN touch src/main.rs && cargo build --release

# DATA_DIR points here; it survives restarts of the node.
VOLUME ["/app/data"]

EXPOSE 8080
# Rename if your package (or [[bin]]) is not called "server".
ENTRYPOINT ["./target/release/server"]
