#include "client/ConnectionProfile.h"

#include "client/Keychain.h"

#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>

namespace nexus::client {

protocol::Expected<QString, SecretError> resolveSecret(const SecretSource& source)
{
    switch (source.kind) {
    case SecretSource::Kind::None:
        return QString();
    case SecretSource::Kind::EnvVar: {
        const QByteArray name = source.reference.toLocal8Bit();
        if (name.isEmpty() || !qEnvironmentVariableIsSet(name.constData()))
            return SecretError{
                QStringLiteral("the environment variable %1 is not set").arg(source.reference)};
        return qEnvironmentVariable(name.constData()).trimmed();
    }
    case SecretSource::Kind::File: {
        QFile file(source.reference);
        if (!file.open(QIODevice::ReadOnly))
            return SecretError{QStringLiteral("cannot read the secret file %1: %2")
                                   .arg(source.reference, file.errorString())};
        // A token file holds one line; refuse anything that is clearly not one.
        const QByteArray head = file.read(64 * 1024);
        const QString secret = QString::fromUtf8(head.left(head.indexOf('\n'))).trimmed();
        if (secret.isEmpty())
            return SecretError{QStringLiteral("the secret file %1 is empty").arg(source.reference)};
        return secret;
    }
    case SecretSource::Kind::Keychain:
        if (source.reference.isEmpty())
            return SecretError{QStringLiteral("the keychain secret source names no entry")};
        return readKeychainSecret(source.reference);
    }
    return QString();
}

QString ConnectionProfile::localSandboxName()
{
    return QStringLiteral("Local sandbox");
}

ConnectionProfile ConnectionProfile::localSandbox()
{
    ConnectionProfile p;
    p.name = localSandboxName();
    p.kind = Kind::LocalSandbox;
    return p;
}

bool isSecretKafkaProperty(const QString& name)
{
    const QString n = name.toLower();
    return n.contains(QLatin1String("password")) || n.contains(QLatin1String("secret")) ||
           n == QLatin1String("sasl.oauthbearer.config") || n == QLatin1String("ssl.key.pem");
}

QString validateProfile(const ConnectionProfile& p)
{
    if (p.name.trimmed().isEmpty())
        return QCoreApplication::translate("ConnectionProfile", "A profile needs a name.");
    if (p.kind == ConnectionProfile::Kind::LocalSandbox)
        return {};
    static const QRegularExpression hostPort(
        QStringLiteral(R"(^(\[[0-9a-fA-F:.]+\]|[^\s:/]+):(\d{1,5})$)"));
    const auto m = hostPort.match(p.nexusEndpoint.trimmed());
    if (!m.hasMatch() || m.captured(2).toInt() < 1 || m.captured(2).toInt() > 65535)
        return QCoreApplication::translate(
            "ConnectionProfile",
            "The Nexus endpoint must be host:port (for example nexus.example.com:7420).");
    if (p.tlsCertPath.isEmpty() != p.tlsKeyPath.isEmpty())
        return QCoreApplication::translate(
            "ConnectionProfile",
            "A client certificate and its key go together: give both or neither.");
    if (!p.tlsCertPath.isEmpty() && p.tlsCaPath.isEmpty())
        return QCoreApplication::translate(
            "ConnectionProfile",
            "A client certificate needs TLS: give the TLS CA certificate that signed Nexus's.");
    static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    const auto checkSource = [](const SecretSource& s, const QString& what) -> QString {
        switch (s.kind) {
        case SecretSource::Kind::None:
            return {};
        case SecretSource::Kind::EnvVar:
            return envName.match(s.reference).hasMatch()
                       ? QString()
                       : QCoreApplication::translate(
                             "ConnectionProfile", "%1: \"%2\" is not an environment variable name.")
                             .arg(what, s.reference);
        case SecretSource::Kind::File:
            return s.reference.isEmpty() ? QCoreApplication::translate("ConnectionProfile",
                                                                       "%1: give the file's path.")
                                               .arg(what)
                                         : QString();
        case SecretSource::Kind::Keychain:
            if (!keychainSupported())
                return QCoreApplication::translate("ConnectionProfile",
                                                   "%1: this build has no keychain support.")
                    .arg(what);
            return s.reference.isEmpty()
                       ? QCoreApplication::translate("ConnectionProfile",
                                                     "%1: give the keychain entry's name.")
                             .arg(what)
                       : QString();
        }
        return {};
    };
    if (QString e = checkSource(p.token, QCoreApplication::translate("ConnectionProfile", "Token"));
        !e.isEmpty())
        return e;
    if (!p.kafkaBootstrapServers.isEmpty() && p.topics.isEmpty())
        return QCoreApplication::translate("ConnectionProfile", "Give at least one Kafka topic.");
    for (auto it = p.kafkaProperties.cbegin(); it != p.kafkaProperties.cend(); ++it)
        if (isSecretKafkaProperty(it.key()))
            return QCoreApplication::translate(
                       "ConnectionProfile",
                       "%1 is a secret: take it from an environment variable, a file or "
                       "the keychain, not as plain text.")
                .arg(it.key());
    for (auto it = p.kafkaSecrets.cbegin(); it != p.kafkaSecrets.cend(); ++it)
        if (QString e = checkSource(it.value(), it.key()); !e.isEmpty())
            return e;
    return {};
}

} // namespace nexus::client
