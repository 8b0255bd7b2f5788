#pragma once
// Durations and time-axis labels for the run views, in the units a person
// reads at that scale: "850 µs", "12.3 ms", "1.24 s", "2 min 05 s".

#include "models/TraceFormat.h"

#include <QString>

#include <cmath>
#include <cstdint>

namespace nexus::widgets::timelinefmt {

// Durations read as everywhere else in the console (models/TraceFormat.h).
inline QString formatDurationUs(std::int64_t us)
{
    return models::tracefmt::duration(us);
}

// The smallest round step (1-2-5 up to 20 s, then minutes and hours) whose
// ticks are at least `minPixels` apart.
inline std::int64_t niceTickStepUs(double usPerPixel, int minPixels)
{
    // clang-format off
    static const std::int64_t kSteps[] = {
        1, 2, 5, 10, 20, 50, 100, 200, 500,
        1'000, 2'000, 5'000, 10'000, 20'000, 50'000, 100'000, 200'000, 500'000,
        1'000'000, 2'000'000, 5'000'000, 10'000'000, 20'000'000, 30'000'000,
        60'000'000, 120'000'000, 300'000'000, 600'000'000, 900'000'000, 1'800'000'000,
        3'600'000'000, 7'200'000'000, 21'600'000'000, 43'200'000'000, 86'400'000'000};
    // clang-format on
    for (std::int64_t step : kSteps)
        if (double(step) / usPerPixel >= minPixels)
            return step;
    return kSteps[std::size(kSteps) - 1];
}

// A tick label (an offset from the run's start) with the unit and decimals
// its tick step needs: "0", "250 µs", "1.5 ms", "2 s", "5 min", "1 h 30 min".
inline QString formatOffsetUs(std::int64_t us, std::int64_t stepUs)
{
    if (us == 0)
        return QStringLiteral("0");
    const QString sign = us < 0 ? QStringLiteral("−") : QString();
    const std::int64_t a = us < 0 ? -us : us;
    if (stepUs < 100)
        return sign + QStringLiteral("%1 µs").arg(a);
    if (stepUs < 100'000)
        return sign + QString::number(double(a) / 1e3, 'f', stepUs < 1000 ? 1 : 0) +
               QStringLiteral(" ms");
    if (stepUs < 60'000'000)
        return sign + QString::number(double(a) / 1e6, 'f', stepUs < 1'000'000 ? 1 : 0) +
               QStringLiteral(" s");
    const std::int64_t minutes = a / 60'000'000;
    if (minutes < 60)
        return sign + QStringLiteral("%1 min").arg(minutes);
    if (minutes % 60 == 0)
        return sign + QStringLiteral("%1 h").arg(minutes / 60);
    return sign + QStringLiteral("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
}

} // namespace nexus::widgets::timelinefmt
