# Every dependency comes from Debian's packages (scripts/dev installs them).
find_package(PkgConfig REQUIRED)
find_package(Protobuf REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
if(NEXUS_FUZZ_ONLY)
  return() # protocol and runtime need nothing more
endif()
pkg_check_modules(GVC REQUIRED IMPORTED_TARGET libgvc libcgraph)
find_package(gRPC CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED) # libpq (libpq-dev); the server (postgresql) only for tests

find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets Charts Concurrent Test)
qt_standard_project_setup()
