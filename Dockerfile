# The silo (with its co-hosted gRPC/JSON gateway) as a container image. Not built by CI: the build machines have no
# container engine. docs/operations.md ("Packaging") describes how to run it.
#   docker build -t webhooks .
#   docker run -p 5000:5000 -p 5001:5001 -e Storage__Provider=postgres \
#     -e ConnectionStrings__Postgres='Host=db;Username=webhooks;Password=...;Database=webhooks' \
#     -e Secrets__Key=... webhooks

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY protos/ protos/
COPY src/ src/
RUN dotnet publish src/Silo/Silo.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# Listen on every interface inside the container; silos reach each other on the address they advertise.
ENV Gateway__GrpcUrl=http://0.0.0.0:5000 \
    Gateway__HttpUrl=http://0.0.0.0:5001 \
    DOTNET_gcServer=1
EXPOSE 5000 5001 11111 30000
# The image's non-root user (uid 1654 in the .NET images).
USER $APP_UID
# /readyz: joined the cluster, PostgreSQL reachable, not shutting down. curl is not in the runtime image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["dotnet", "Webhooks.Silo.dll", "--probe-readiness"]
# SIGTERM (docker stop) stops the silo gracefully within Orleans:ShutdownTimeout (30 s): give docker stop -t 40.
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "Webhooks.Silo.dll"]
