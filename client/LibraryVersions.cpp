#include "client/LibraryVersions.h"

#include "NexusVersion.h"

#include <QtGlobal>

#include <google/protobuf/stubs/common.h>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafka.h>
#include <openssl/crypto.h>
#include <zstd.h>

namespace nexus::client {

QList<QPair<QString, QString>> libraryVersions()
{
    return {
        {QStringLiteral("Nexus Console"), QStringLiteral(NEXUS_VERSION)},
        {QStringLiteral("Qt"), QString::fromLatin1(qVersion())},
        {QStringLiteral("Protobuf"),
         QString::fromStdString(
             google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION))},
        {QStringLiteral("gRPC"), QString::fromStdString(grpc::Version())},
        {QStringLiteral("librdkafka"), QString::fromLatin1(rd_kafka_version_str())},
        {QStringLiteral("zstd"), QString::fromLatin1(ZSTD_versionString())},
        {QStringLiteral("OpenSSL"), QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION))},
    };
}

} // namespace nexus::client
