#include "client/ProfileStore.h"

#include <QSettings>

#include <algorithm>

namespace nexus::client {

namespace {

const QString kGroup = QStringLiteral("profiles");

QString kindName(ConnectionProfile::Kind kind)
{
    return kind == ConnectionProfile::Kind::LocalSandbox ? QStringLiteral("local-sandbox")
                                                         : QStringLiteral("remote");
}

QString sourceKindName(SecretSource::Kind kind)
{
    switch (kind) {
    case SecretSource::Kind::EnvVar:
        return QStringLiteral("env");
    case SecretSource::Kind::File:
        return QStringLiteral("file");
    case SecretSource::Kind::Keychain:
        return QStringLiteral("keychain");
    case SecretSource::Kind::None:
        break;
    }
    return QStringLiteral("none");
}

SecretSource::Kind sourceKind(const QString& text)
{
    if (text == QLatin1String("env"))
        return SecretSource::Kind::EnvVar;
    if (text == QLatin1String("file"))
        return SecretSource::Kind::File;
    if (text == QLatin1String("keychain"))
        return SecretSource::Kind::Keychain;
    return SecretSource::Kind::None;
}

// QSettings groups cannot hold '/' in a key; profile names can.
QString groupKey(const QString& name)
{
    return QString::fromLatin1(name.toUtf8().toPercentEncoding());
}

void writeSource(QSettings& s, const QString& key, const SecretSource& source)
{
    s.setValue(key + QStringLiteral("Source"), sourceKindName(source.kind));
    s.setValue(key + QStringLiteral("Ref"), source.reference);
}

SecretSource readSource(const QSettings& s, const QString& key)
{
    return SecretSource{sourceKind(s.value(key + QStringLiteral("Source")).toString()),
                        s.value(key + QStringLiteral("Ref")).toString()};
}

} // namespace

ProfileStore::ProfileStore(QSettings* settings) : settings_(settings) {}

QStringList ProfileStore::names() const
{
    QStringList result;
    for (const auto& p : profiles())
        result << p.name;
    return result;
}

QList<ConnectionProfile> ProfileStore::profiles() const
{
    QList<ConnectionProfile> result;
    settings_->beginGroup(kGroup);
    const QStringList groups = settings_->childGroups();
    settings_->endGroup();
    for (const QString& g : groups)
        if (auto p = profile(QString::fromUtf8(QByteArray::fromPercentEncoding(g.toLatin1()))))
            result << *p;
    std::sort(result.begin(), result.end(),
              [](const ConnectionProfile& a, const ConnectionProfile& b) {
                  const bool aSandbox = a.name == ConnectionProfile::localSandboxName();
                  const bool bSandbox = b.name == ConnectionProfile::localSandboxName();
                  if (aSandbox != bSandbox)
                      return aSandbox;
                  return a.name.localeAwareCompare(b.name) < 0;
              });
    if (result.isEmpty() || result.front().name != ConnectionProfile::localSandboxName())
        result.prepend(ConnectionProfile::localSandbox());
    return result;
}

std::optional<ConnectionProfile> ProfileStore::profile(const QString& name) const
{
    QSettings& s = *settings_;
    s.beginGroup(kGroup + QLatin1Char('/') + groupKey(name));
    const bool exists = !s.childKeys().isEmpty();
    ConnectionProfile p;
    if (exists) {
        p.name = name;
        p.kind = s.value(QStringLiteral("kind")).toString() == QLatin1String("local-sandbox")
                     ? ConnectionProfile::Kind::LocalSandbox
                     : ConnectionProfile::Kind::Remote;
        p.nexusEndpoint = s.value(QStringLiteral("nexusEndpoint")).toString();
        p.tlsCaPath = s.value(QStringLiteral("tlsCaPath")).toString();
        p.tlsCertPath = s.value(QStringLiteral("tlsCertPath")).toString();
        p.tlsKeyPath = s.value(QStringLiteral("tlsKeyPath")).toString();
        p.token = readSource(s, QStringLiteral("token"));
        p.kafkaBootstrapServers = s.value(QStringLiteral("kafkaBootstrapServers")).toString();
        p.topics = s.value(QStringLiteral("topics"), p.topics).toStringList();
        s.beginGroup(QStringLiteral("kafkaProperties"));
        for (const QString& k : s.childKeys())
            p.kafkaProperties.insert(k, s.value(k).toString());
        s.endGroup();
        s.beginGroup(QStringLiteral("kafkaSecrets"));
        for (const QString& g : s.childGroups()) {
            s.beginGroup(g);
            p.kafkaSecrets.insert(g, readSource(s, QString()));
            s.endGroup();
        }
        s.endGroup();
    }
    s.endGroup();
    if (!exists && name == ConnectionProfile::localSandboxName())
        return ConnectionProfile::localSandbox();
    if (!exists)
        return std::nullopt;
    return p;
}

protocol::Expected<bool, ProfileError> ProfileStore::save(const ConnectionProfile& p)
{
    if (QString error = validateProfile(p); !error.isEmpty())
        return ProfileError{error};
    QSettings& s = *settings_;
    s.remove(kGroup + QLatin1Char('/') + groupKey(p.name));
    s.beginGroup(kGroup + QLatin1Char('/') + groupKey(p.name));
    s.setValue(QStringLiteral("kind"), kindName(p.kind));
    s.setValue(QStringLiteral("nexusEndpoint"), p.nexusEndpoint);
    s.setValue(QStringLiteral("tlsCaPath"), p.tlsCaPath);
    s.setValue(QStringLiteral("tlsCertPath"), p.tlsCertPath);
    s.setValue(QStringLiteral("tlsKeyPath"), p.tlsKeyPath); // the path, never the key
    writeSource(s, QStringLiteral("token"), p.token);
    s.setValue(QStringLiteral("kafkaBootstrapServers"), p.kafkaBootstrapServers);
    s.setValue(QStringLiteral("topics"), p.topics);
    s.beginGroup(QStringLiteral("kafkaProperties"));
    for (auto it = p.kafkaProperties.cbegin(); it != p.kafkaProperties.cend(); ++it)
        s.setValue(it.key(), it.value());
    s.endGroup();
    s.beginGroup(QStringLiteral("kafkaSecrets"));
    for (auto it = p.kafkaSecrets.cbegin(); it != p.kafkaSecrets.cend(); ++it) {
        s.beginGroup(it.key());
        writeSource(s, QString(), it.value());
        s.endGroup();
    }
    s.endGroup();
    s.endGroup();
    s.sync();
    if (s.status() != QSettings::NoError)
        return ProfileError{
            QStringLiteral("cannot write the settings file %1 (%2)")
                .arg(s.fileName(), s.status() == QSettings::FormatError
                                       ? QStringLiteral("it is not a valid settings file")
                                       : QStringLiteral("access denied"))};
    return true;
}

bool ProfileStore::remove(const QString& name)
{
    if (name == ConnectionProfile::localSandboxName())
        return false;
    const QString key = kGroup + QLatin1Char('/') + groupKey(name);
    if (!settings_->contains(key + QStringLiteral("/kind")))
        return false;
    settings_->remove(key);
    settings_->sync();
    return true;
}

QString ProfileStore::lastUsed() const
{
    const QString name = settings_->value(QStringLiteral("lastProfile")).toString();
    return profile(name) ? name : ConnectionProfile::localSandboxName();
}

void ProfileStore::setLastUsed(const QString& name)
{
    settings_->setValue(QStringLiteral("lastProfile"), name);
}

} // namespace nexus::client
