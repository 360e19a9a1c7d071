# TypeScript (Node.js 22). Expects package.json with a "build" script that
# compiles src/ to dist/, and a server entry point at dist/server.js.
FROM node:22-slim

# iptables and iproute2 let clstr inject network faults inside the container.
RUN apt-get update \
    && apt-get install -y --no-install-recommends iptables iproute2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Manifests first: the npm ci layer is reused until dependencies change.
# npm ci needs a package-lock.json, so commit yours.
COPY package.json package-lock.json ./
RUN npm ci

COPY . .
RUN npm run build

# DATA_DIR points here; it survives restarts of the node.
VOLUME ["/app/data"]

EXPOSE 8080
ENTRYPOINT ["node", "dist/server.js"]
