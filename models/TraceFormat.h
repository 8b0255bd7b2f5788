#pragma once
// Numbers of the trace analysis models and views, as a person reads them:
// "1.24 s", "+350 ms", "12,345 tokens", "$0.0123", "+12.5 %". The locale is
// fixed (C with grouping) so the text does not depend on the machine.

#include <QLocale>
#include <QString>

#include <cmath>
#include <cstdint>
#include <optional>

namespace nexus::models::tracefmt {

inline const QLocale& locale()
{
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english;
}

// "850 µs", "12.3 ms", "1.24 s", "2 min 05 s", "1 h 02 min".
inline QString duration(std::int64_t us)
{
    const double a = std::abs(double(us));
    if (a < 1000)
        return QStringLiteral("%1 µs").arg(us);
    if (a < 1e6)
        return QString::number(double(us) / 1e3, 'f', a < 1e4 ? 2 : (a < 1e5 ? 1 : 0)) +
               QStringLiteral(" ms");
    if (a < 60e6)
        return QString::number(double(us) / 1e6, 'f', a < 1e7 ? 2 : 1) + QStringLiteral(" s");
    const QString sign = us < 0 ? QStringLiteral("-") : QString();
    const std::int64_t seconds = std::abs(us) / 1'000'000;
    if (seconds < 3600)
        return QStringLiteral("%1%2 min %3 s")
            .arg(sign)
            .arg(seconds / 60)
            .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1%2 h %3 min")
        .arg(sign)
        .arg(seconds / 3600)
        .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'));
}

inline QString count(std::int64_t n)
{
    return locale().toString(qlonglong(n));
}

inline QString usd(double v)
{
    const double a = std::abs(v);
    const int decimals = a == 0 ? 0 : a >= 1 ? 2 : a >= 0.01 ? 4 : 6;
    return (v < 0 ? QStringLiteral("-$") : QStringLiteral("$")) +
           locale().toString(a, 'f', decimals);
}

// Deltas carry their sign; zero is "0".
inline QString signedDuration(std::int64_t us)
{
    if (us == 0)
        return QStringLiteral("0");
    return (us > 0 ? QStringLiteral("+") : QStringLiteral("\u2212")) + duration(std::abs(us));
}

inline QString signedCount(std::int64_t n)
{
    if (n == 0)
        return QStringLiteral("0");
    return (n > 0 ? QStringLiteral("+") : QStringLiteral("\u2212")) + count(std::abs(n));
}

inline QString signedUsd(double v)
{
    if (v == 0)
        return QStringLiteral("0");
    return (v > 0 ? QStringLiteral("+") : QStringLiteral("\u2212")) + usd(std::abs(v));
}

// A fraction as a percentage: 0.125 -> "12.5 %".
inline QString percent(double fraction)
{
    return QString::number(fraction * 100, 'f', 1) + QStringLiteral(" %");
}

// A change (nullopt: no base, "new").
inline QString signedPercent(std::optional<double> fraction)
{
    if (!fraction)
        return QStringLiteral("new");
    if (*fraction == 0)
        return QStringLiteral("0 %");
    return (*fraction > 0 ? QStringLiteral("+") : QStringLiteral("\u2212")) +
           percent(std::abs(*fraction));
}

} // namespace nexus::models::tracefmt
