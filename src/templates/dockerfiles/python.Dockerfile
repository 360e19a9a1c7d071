# Python 3.13. Runs server.py from the repository root.
FROM python:3.13-slim

# iptables and iproute2 let clstr inject network faults inside the container.
RUN apt-get update \
    && apt-get install -y --no-install-recommends iptables iproute2 \
    && rm -rf /var/lib/apt/lists/*

# Send print() output straight to `clstr logs` instead of buffering it.
ENV PYTHONUNBUFFERED=1

WORKDIR /app

# Requirements first so installed packages stay cached between builds.
# The file is optional; the standard library is enough for this challenge.
COPY requirements.txt* ./
RUN if [ -f requirements.txt ]; then pip install --no-cache-dir -r requirements.txt; fi

COPY . .

# DATA_DIR points here; it survives restarts of the node.
VOLUME ["/app/data"]

EXPOSE 8080
ENTRYPOINT ["python", "server.py"]
