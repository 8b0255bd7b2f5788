#pragma once
// A connection profile: where Nexus and Kafka are and how to authenticate.
// Secrets (the Nexus token, SASL passwords) are never part of a profile;
// a profile only says where to read them from (an environment variable, a
// file or the system keychain), so the settings file holds nothing worth
// stealing.

#include "protocol/Expected.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace nexus::client {

// Where a secret comes from. The secret itself is read when connecting.
struct SecretSource
{
    enum class Kind
    {
        None,
        EnvVar,   // reference = variable name
        File,     // reference = path; the file's first line, trimmed
        Keychain, // reference = entry key under the service "nexus-console" (client/Keychain.h)
    };
    Kind kind = Kind::None;
    QString reference;

    bool operator==(const SecretSource&) const = default;
};

struct SecretError
{
    QString message;
};

// Reads the secret now. None gives an empty string (no secret).
protocol::Expected<QString, SecretError> resolveSecret(const SecretSource& source);

struct ConnectionProfile
{
    enum class Kind
    {
        LocalSandbox, // nexusd hosted in-process, reached over loopback
        Remote,
    };

    QString name;
    Kind kind = Kind::Remote;
    QString nexusEndpoint; // host:port; empty for a sandbox until it is started
    QString tlsCaPath;     // PEM file; empty = plaintext gRPC
    // Mutual TLS: this client's certificate and the *path* of its private key
    // (PEM files; the key itself never enters the settings). Both or neither.
    QString tlsCertPath;
    QString tlsKeyPath;
    SecretSource token; // bearer token for Nexus
    QString kafkaBootstrapServers;
    QStringList topics{QStringLiteral("dashstream-events")};
    // Non-secret librdkafka properties (security.protocol, sasl.mechanism,
    // sasl.username, ssl.ca.location, ...).
    QMap<QString, QString> kafkaProperties;
    // Secret librdkafka properties (sasl.password, ssl.key.password, ...) by source.
    QMap<QString, SecretSource> kafkaSecrets;

    bool operator==(const ConnectionProfile&) const = default;

    static QString localSandboxName(); // "Local sandbox"
    static ConnectionProfile localSandbox();
};

// What is wrong with a profile, as a sentence for a person; empty when it
// can be saved: a name; for a remote, a host:port endpoint, secret sources
// that name something, topics when Kafka is set, and no secret librdkafka
// property given as a plain value. Files are not checked (a stored profile
// may name a file of another machine).
QString validateProfile(const ConnectionProfile& profile);

// True for librdkafka properties that hold secrets and so must come from a
// SecretSource, never from kafkaProperties.
bool isSecretKafkaProperty(const QString& name);

} // namespace nexus::client
