# syntax=docker/dockerfile:1
# The portal as a city deploys it: published in an SDK stage, run from the ASP.NET Core runtime image as a non-root
# user. `docker compose up` (docker-compose.yml) adds PostgreSQL. No demo account is created (Seed__DemoAccounts is
# not set): the first Admin comes from `create-user` (see docker-compose.yml).

# The design system's compiled CSS, fonts and icons (ADR-025), fetched and checked by the same script as run.sh's.
FROM node:22-bookworm-slim AS uswds
WORKDIR /work
COPY scripts/fetch-uswds.sh scripts/
RUN scripts/fetch-uswds.sh

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The restore in a layer of its own: it reruns only when a project file or a package version changes, not on every
# change to the code.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/PermitTracker.Domain/PermitTracker.Domain.csproj src/PermitTracker.Domain/
COPY src/PermitTracker.Data/PermitTracker.Data.csproj src/PermitTracker.Data/
COPY src/PermitTracker.Web/PermitTracker.Web.csproj src/PermitTracker.Web/
RUN dotnet restore src/PermitTracker.Web/PermitTracker.Web.csproj
COPY src/ src/
COPY --from=uswds /work/src/PermitTracker.Web/wwwroot/vendor/uswds src/PermitTracker.Web/wwwroot/vendor/uswds
RUN dotnet publish src/PermitTracker.Web/PermitTracker.Web.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1
EXPOSE 8080
# The image's own unprivileged user ("app", uid 1654): the portal needs to write nothing but its logs to stdout.
USER 1654
# The image has no curl: bash's /dev/tcp asks /health/ready (the database answers and the city's zone is right).
# Six tries 15 s apart give a first start (migrations, seeding) 90 s before the container counts as unhealthy.
HEALTHCHECK --interval=15s --timeout=5s --retries=6 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "PermitTracker.Web.dll"]
