#include "BenchSupport.h"

#include "protocol/Framing.h"
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/TelemetryEmitter.h"
#include "runtime/TelemetrySink.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <malloc.h>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace nexus::bench {

bool smoke()
{
    const char* value = std::getenv("NEXUS_BENCH_SMOKE");
    return value && *value && std::string(value) != "0";
}

int repetitions()
{
    if (smoke())
        return 1;
    const char* value = std::getenv("NEXUS_BENCH_REPS");
    const int reps = value ? std::atoi(value) : 0;
    return reps > 0 ? reps : 5;
}

std::size_t scaled(std::size_t full, std::size_t small)
{
    return smoke() ? small : full;
}

double median(std::vector<double> values)
{
    return percentile(std::move(values), 50);
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    // Nearest rank on the sorted samples, interpolated between neighbours.
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * double(values.size() - 1);
    const auto low = std::size_t(std::floor(rank));
    const auto high = std::min(values.size() - 1, low + 1);
    return values[low] + (values[high] - values[low]) * (rank - double(low));
}

namespace {

QString number(double value)
{
    if (value != 0 && std::abs(value) < 0.01)
        return QString::number(value, 'g', 3);
    if (std::abs(value) >= 1e5)
        return QString::number(value, 'f', 0);
    return QString::number(value, 'f', std::abs(value) >= 100 ? 1 : 3);
}

} // namespace

double report(const Figure& figure)
{
    const double mid = median(figure.samples);
    const auto [lo, hi] = std::minmax_element(figure.samples.begin(), figure.samples.end());
    const double min = figure.samples.empty() ? 0 : *lo;
    const double max = figure.samples.empty() ? 0 : *hi;
    QString verdict;
    if (figure.budget.limit > 0) {
        const bool meets = figure.budget.better == Better::Higher ? mid >= figure.budget.limit
                                                                  : mid <= figure.budget.limit;
        verdict = meets ? QStringLiteral("meets") : QStringLiteral("MISSES");
    }
    std::printf("BENCH %s: median %s %s (min %s, max %s, n=%zu)%s%s%s\n", figure.name.c_str(),
                qPrintable(number(mid)), figure.unit.c_str(), qPrintable(number(min)),
                qPrintable(number(max)), figure.samples.size(),
                figure.budget.text.empty()
                    ? ""
                    : qPrintable(QStringLiteral("; budget %1: %2")
                                     .arg(QString::fromStdString(figure.budget.text), verdict)),
                figure.note.empty() ? "" : "; ", figure.note.c_str());
    std::fflush(stdout);

    if (const char* out = std::getenv("NEXUS_BENCH_OUT"); out && *out) {
        QJsonArray samples;
        for (double s : figure.samples)
            samples.append(s);
        QJsonObject line{
            {"name", QString::fromStdString(figure.name)},
            {"unit", QString::fromStdString(figure.unit)},
            {"median", mid},
            {"min", min},
            {"max", max},
            {"samples", samples},
            {"budget", QString::fromStdString(figure.budget.text)},
            {"verdict", verdict},
            {"note", QString::fromStdString(figure.note)},
            {"smoke", smoke()},
        };
        QFile file(QString::fromLocal8Bit(out));
        if (file.open(QIODevice::Append | QIODevice::WriteOnly))
            file.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
    }
    return mid;
}

double nowSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::size_t residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * std::size_t(sysconf(_SC_PAGESIZE));
}

std::size_t heapBytes()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

double processResidentBytes(std::int64_t pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stod(line.substr(6)) * 1024.0; // "VmRSS:   1234 kB"
    return -1;
}

double processCpuSeconds(std::int64_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return -1;
    // Fields after the command name (which may hold spaces): state is 3rd,
    // utime and stime the 14th and 15th.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    for (int i = 3; i < 14 && rest >> field; ++i) {
    }
    unsigned long long utime = 0, stime = 0;
    if (!(rest >> utime >> stime))
        return -1;
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

std::vector<ds::DashStreamMessage> sampleMessages(std::size_t minMessages, std::uint64_t firstSeed,
                                                  int instances)
{
    static const std::vector<runtime::Graph> graphs = [] {
        std::vector<runtime::Graph> loaded;
        const QDir dir(QStringLiteral(NEXUS_SOURCE_DIR "/resources/graphs"));
        for (const QString& name :
             dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
            auto graph = runtime::loadGraphFile(dir.filePath(name).toStdString());
            if (!graph)
                throw std::runtime_error("sample graph " + name.toStdString() +
                                         " does not load: " + graph.error().message);
            loaded.push_back(std::move(graph->graph));
        }
        if (loaded.empty())
            throw std::runtime_error("no sample graphs in " NEXUS_SOURCE_DIR "/resources/graphs");
        return loaded;
    }();

    runtime::MemorySink sink;
    std::uint64_t seed = firstSeed;
    while (sink.messages().size() < minMessages) {
        const runtime::Graph& graph = graphs[seed % graphs.size()];
        runtime::TelemetryOptions telemetry;
        telemetry.instanceLabels["instance_id"] =
            "bench-" + std::to_string(seed % std::uint64_t(std::max(1, instances)));
        telemetry.instanceLabels["deployment"] = "bench";
        runtime::TelemetryEmitter emitter(sink, telemetry);
        runtime::RunOptions options;
        options.seed = seed;
        runtime::Executor executor(graph, options, &emitter);
        runtime::RunResult result = executor.start();
        for (int resumes = 0; result.status == runtime::RunStatus::Interrupted && resumes < 16;
             ++resumes)
            result = executor.resume(result.interrupt->autoResume);
        ++seed;
    }
    return sink.messages();
}

std::vector<std::string> encodeAll(const std::vector<ds::DashStreamMessage>& messages,
                                   bool compress)
{
    protocol::EncodeOptions options;
    options.compress = compress;
    options.compressionThreshold = 0; // compress: every record that zstd makes smaller
    protocol::RecordEncoder encoder(options);
    std::vector<std::string> records;
    records.reserve(messages.size());
    for (const auto& message : messages) {
        auto record = encoder.encode(message);
        if (!record)
            throw std::runtime_error("encode failed: " + record.error().message);
        records.push_back(std::move(*record));
    }
    return records;
}

std::size_t totalBytes(const std::vector<std::string>& records)
{
    std::size_t total = 0;
    for (const auto& r : records)
        total += r.size();
    return total;
}

} // namespace nexus::bench
