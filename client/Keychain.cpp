#include "client/Keychain.h"

#ifdef NEXUS_HAVE_QTKEYCHAIN
#include <QEventLoop>
#include <QTimer>
#include <qt6keychain/keychain.h>
#endif

namespace nexus::client {

namespace {

const QString kService = QStringLiteral("nexus-console");

#ifdef NEXUS_HAVE_QTKEYCHAIN
// Runs the job to its end (or the timeout); the error text when it failed.
QString runJob(QKeychain::Job& job, int timeoutMs, const QString& what)
{
    job.setAutoDelete(false);
    QEventLoop loop;
    bool done = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        done = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    job.start();
    if (!done)
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    if (!done)
        return QStringLiteral("the system keychain did not answer within %1 s (%2)")
            .arg(timeoutMs / 1000)
            .arg(what);
    if (job.error() == QKeychain::EntryNotFound)
        return QStringLiteral("the system keychain has no entry \"%1\" for nexus-console")
            .arg(job.key());
    if (job.error() != QKeychain::NoError)
        return QStringLiteral("the system keychain refused to %1: %2").arg(what, job.errorString());
    return {};
}
#endif

} // namespace

bool keychainSupported()
{
#ifdef NEXUS_HAVE_QTKEYCHAIN
    return true;
#else
    return false;
#endif
}

protocol::Expected<QString, SecretError> readKeychainSecret(const QString& key, int timeoutMs)
{
#ifdef NEXUS_HAVE_QTKEYCHAIN
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(key);
    job.setInsecureFallback(false);
    if (QString error = runJob(job, timeoutMs, QStringLiteral("read \"%1\"").arg(key));
        !error.isEmpty())
        return SecretError{error};
    const QString secret = job.textData().trimmed();
    if (secret.isEmpty())
        return SecretError{QStringLiteral("the system keychain entry \"%1\" is empty").arg(key)};
    return secret;
#else
    Q_UNUSED(timeoutMs);
    return SecretError{QStringLiteral("this build of the console has no keychain support "
                                      "(QtKeychain); cannot read \"%1\"")
                           .arg(key)};
#endif
}

protocol::Expected<bool, SecretError> writeKeychainSecret(const QString& key, const QString& secret,
                                                          int timeoutMs)
{
#ifdef NEXUS_HAVE_QTKEYCHAIN
    QKeychain::WritePasswordJob job(kService);
    job.setKey(key);
    job.setInsecureFallback(false);
    job.setTextData(secret);
    if (QString error = runJob(job, timeoutMs, QStringLiteral("store \"%1\"").arg(key));
        !error.isEmpty())
        return SecretError{error};
    return true;
#else
    Q_UNUSED(secret);
    Q_UNUSED(timeoutMs);
    return SecretError{
        QStringLiteral("this build of the console has no keychain support (QtKeychain); cannot "
                       "store \"%1\"")
            .arg(key)};
#endif
}

protocol::Expected<bool, SecretError> deleteKeychainSecret(const QString& key, int timeoutMs)
{
#ifdef NEXUS_HAVE_QTKEYCHAIN
    QKeychain::DeletePasswordJob job(kService);
    job.setKey(key);
    job.setInsecureFallback(false);
    if (QString error = runJob(job, timeoutMs, QStringLiteral("delete \"%1\"").arg(key));
        !error.isEmpty())
        return SecretError{error};
    return true;
#else
    Q_UNUSED(timeoutMs);
    return SecretError{
        QStringLiteral("no keychain support in this build; \"%1\" not deleted").arg(key)};
#endif
}

} // namespace nexus::client
