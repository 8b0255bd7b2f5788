#pragma once
// Connection profiles in QSettings (group "profiles/<name>"). The caller owns
// the QSettings, so tests use a temporary INI file. "Local sandbox" always
// exists, also on first start with empty settings.

#include "client/ConnectionProfile.h"

#include <QList>
#include <QString>

class QSettings;

namespace nexus::client {

struct ProfileError
{
    QString message;
};

class ProfileStore
{
public:
    explicit ProfileStore(QSettings* settings);

    // Every profile, "Local sandbox" first, the others by name.
    QList<ConnectionProfile> profiles() const;
    QStringList names() const;
    std::optional<ConnectionProfile> profile(const QString& name) const;

    // Writes (or replaces) a profile. Refused, with validateProfile()'s
    // sentence, when it is not valid, e.g. a secret librdkafka property
    // given as a plain property (it would end up in the file).
    protocol::Expected<bool, ProfileError> save(const ConnectionProfile& profile);
    // The built-in "Local sandbox" can be edited but not removed.
    bool remove(const QString& name);

    // The profile to open at start: the last one used, else "Local sandbox".
    QString lastUsed() const;
    void setLastUsed(const QString& name);

private:
    QSettings* settings_;
};

} // namespace nexus::client
