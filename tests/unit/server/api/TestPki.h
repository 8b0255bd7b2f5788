#pragma once
// A test PKI made at test time with the openssl command: CAs, and
// certificates they sign with the extensions a test asks for (SANs,
// clientAuth). Files: <dir>/<name>.pem and <dir>/<name>.key.

#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace nexus::testing {

inline bool runTool(const QString& program, const QStringList& args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(60000))
        return false;
    if (p.exitCode() != 0)
        qWarning("%s", p.readAll().constData());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// A PKI in `dir`.
struct Pki
{
    QString dir;
    QString path(const QString& name, const char* ext) const
    {
        return dir + QLatin1Char('/') + name + QLatin1String(ext);
    }

    bool ca(const QString& name)
    {
        return runTool(QStringLiteral("openssl"),
                       {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", "/CN=" + name, "-keyout",
                        path(name, ".key"), "-out", path(name, ".pem")});
    }

    // A certificate for `name` signed by `caName` with the given extensions.
    bool issue(const QString& name, const QString& caName, const QString& extensions)
    {
        const QString ext = path(name, ".ext");
        QFile f(ext);
        if (!f.open(QIODevice::WriteOnly))
            return false;
        f.write(extensions.toUtf8() + '\n');
        f.close();
        return runTool(QStringLiteral("openssl"),
                       {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-subj", "/CN=" + name, "-keyout", path(name, ".key"), "-out",
                        path(name, ".csr")}) &&
               runTool(QStringLiteral("openssl"),
                       {"x509", "-req", "-in", path(name, ".csr"), "-CA", path(caName, ".pem"),
                        "-CAkey", path(caName, ".key"), "-CAcreateserial", "-days", "2", "-extfile",
                        ext, "-out", path(name, ".pem")});
    }
};

} // namespace nexus::testing
