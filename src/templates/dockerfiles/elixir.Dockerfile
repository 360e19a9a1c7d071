# Elixir 1.18. Expects a Mix project whose app is named :server (see mix.exs)
# and builds it as a release.
FROM elixir:1.18

# iptables and iproute2 let clstr inject network faults inside the container.
RUN apt-get update \
    && apt-get install -y --no-install-recommends iptables iproute2 \
    && rm -rf /var/lib/apt/lists/*

# UTF-8 locale so the VM handles unicode keys and values without warnings.
ENV LANG=C.UTF-8 \
    MIX_ENV=prod

RUN mix local.hex --force && mix local.rebar --force

WORKDIR /app

# mix.exs and mix.lock first so fetched dependencies stay cached.
COPY mix.exs mix.lock* ./
RUN mix deps.get --only prod

COPY . .
RUN mix release

# DATA_DIR points here; it survives restarts of the node.
VOLUME ["/app/data"]

EXPOSE 8080
# No release? Drop `RUN mix release` above and use instead:
#   ENTRYPOINT ["mix", "run", "--no-halt"]
ENTRYPOINT ["_build/prod/rel/server/bin/server", "start"]
