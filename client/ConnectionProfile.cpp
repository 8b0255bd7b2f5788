#include "client/ConnectionProfile.h"

#include "client/Keychain.h"

#include <QFile>

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

} // namespace nexus::client
