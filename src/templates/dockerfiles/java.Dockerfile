# Java 21 built with Maven. The pom.xml must produce target/server.jar as a
# runnable jar: set <finalName>server</finalName> and a Main-Class manifest
# entry (maven-jar-plugin), or use maven-shade-plugin if you have dependencies.
#
# Prefer Gradle? Copy build.gradle(.kts), settings.gradle(.kts), gradlew and
# gradle/ instead of pom.xml, run ./gradlew build, and point the ENTRYPOINT at
# the jar in build/libs/.
FROM eclipse-temurin:21

# iptables and iproute2 let clstr inject network faults inside the container.
# The Temurin image ships only the JDK, so Maven is installed here too.
RUN apt-get update \
    && apt-get install -y --no-install-recommends iptables iproute2 maven \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# pom.xml first so downloaded dependencies and plugins stay cached.
COPY pom.xml ./
RUN mvn -q -B dependency:go-offline

COPY src ./src
RUN mvn -q -B package -DskipTests

# DATA_DIR points here; it survives restarts of the node.
VOLUME ["/app/data"]

EXPOSE 8080
ENTRYPOINT ["java", "-jar", "target/server.jar"]
