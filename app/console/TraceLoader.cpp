#include "TraceLoader.h"

#include "protocol/Dstrace.h"
#include "protocol/Framing.h"
#include "protocol/MessageJson.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

namespace nexus::app {

namespace {

QString problemAt(std::uint64_t index, std::uint64_t offset, const std::string& message)
{
    return QStringLiteral("record %1 at byte %2: %3")
        .arg(index)
        .arg(offset)
        .arg(QString::fromStdString(message));
}

// Decodes one record into the trace (or counts it as bad).
class Decoder
{
public:
    explicit Decoder(DecodedTrace& trace) : trace_(trace) {}

    void add(std::string value, std::uint64_t index, std::uint64_t offset)
    {
        protocol::ds::DashStreamMessage message;
        auto decoded = decoder_.decode(value, message);
        std::uint32_t thread = kNoThread;
        if (decoded) {
            const protocol::ds::Header* header = protocol::headerOf(message);
            thread = threadIndex(header ? header->thread_id() : std::string());
            trace_.messages.push_back(std::move(message));
        } else {
            bad(index, offset, decoded.error().message);
        }
        records_.push_back(std::move(value));
        trace_.recordThread.push_back(thread);
    }

    void bad(std::uint64_t index, std::uint64_t offset, const std::string& message)
    {
        ++trace_.badRecords;
        if (trace_.firstProblem.isEmpty())
            trace_.firstProblem = problemAt(index, offset, message);
    }

    void finish()
    {
        trace_.records = std::make_shared<const std::vector<std::string>>(std::move(records_));
    }

private:
    std::uint32_t threadIndex(const std::string& thread)
    {
        auto [it, added] = threadIndex_.emplace(thread, std::uint32_t(trace_.threads.size()));
        if (added)
            trace_.threads.push_back(thread);
        return it->second;
    }

    DecodedTrace& trace_;
    protocol::RecordDecoder decoder_;
    std::vector<std::string> records_;
    std::map<std::string, std::uint32_t> threadIndex_;
};

bool cancelled(const std::atomic<bool>* cancel)
{
    return cancel && cancel->load(std::memory_order_relaxed);
}

} // namespace

DecodedTrace readTraceFile(const QString& path, const std::atomic<bool>* cancel,
                           TraceProgress* progress)
{
    DecodedTrace trace;
    trace.origin = path;
    std::ifstream in(path.toStdString(), std::ios::binary);
    if (!in || QFileInfo(path).isDir()) {
        trace.error = QStringLiteral("Cannot open %1: %2")
                          .arg(path, QFileInfo::exists(path) ? QStringLiteral("not readable")
                                                             : QStringLiteral("no such file"));
        trace.records = std::make_shared<const std::vector<std::string>>();
        return trace;
    }
    if (progress)
        progress->totalBytes.store(QFileInfo(path).size(), std::memory_order_relaxed);
    Decoder decoder(trace);
    protocol::DstraceReader reader(in);
    std::uint64_t index = 0;
    while (true) {
        if (cancelled(cancel)) {
            trace.cancelled = true;
            break;
        }
        // The reader keeps going after an oversize record, so the offset of
        // each record is taken from the stream, not summed up.
        in.clear(in.rdstate() & ~std::ios::failbit);
        const std::streamoff pos = in.tellg();
        auto next = reader.next();
        if (!next)
            break;
        const auto offset = std::uint64_t(pos < 0 ? 0 : pos);
        if (next->ok())
            decoder.add(std::move(next->value().value), index, offset);
        else
            decoder.bad(index, offset, next->error().message);
        ++index;
        if (progress) {
            progress->records.store(std::int64_t(index), std::memory_order_relaxed);
            progress->bytes.store(std::int64_t(offset), std::memory_order_relaxed);
        }
    }
    decoder.finish();
    return trace;
}

DecodedTrace decodeTrace(const QString& origin,
                         std::shared_ptr<const std::vector<std::string>> records,
                         const std::atomic<bool>* cancel, TraceProgress* progress)
{
    DecodedTrace trace;
    trace.origin = origin;
    if (!records)
        records = std::make_shared<const std::vector<std::string>>();
    if (progress)
        progress->totalRecords.store(std::int64_t(records->size()), std::memory_order_relaxed);
    Decoder decoder(trace);
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < records->size(); ++i) {
        if (cancelled(cancel)) {
            trace.cancelled = true;
            break;
        }
        const std::string& value = (*records)[i];
        decoder.add(value, i, offset);
        offset += 4 + value.size();
        if (progress)
            progress->records.store(std::int64_t(i + 1), std::memory_order_relaxed);
    }
    decoder.finish();
    return trace;
}

std::vector<std::string> recordsOfThread(const DecodedTrace& trace, const std::string& threadId)
{
    if (trace.threads.size() <= 1)
        return *trace.records;
    std::vector<std::string> out;
    for (std::size_t i = 0; i < trace.records->size() && i < trace.recordThread.size(); ++i) {
        const std::uint32_t t = trace.recordThread[i];
        if (t != kNoThread && trace.threads[t] == threadId)
            out.push_back((*trace.records)[i]);
    }
    return out;
}

QString writeDstrace(const QString& path, const std::vector<std::string>& records,
                     const std::atomic<bool>* cancel, TraceProgress* progress)
{
    // Written under a temporary name and renamed when complete (rename
    // replaces atomically): a failed export never leaves half a trace under
    // the name the user chose, nor destroys a file that was there.
    const std::filesystem::path target = path.toStdString();
    std::filesystem::path partial = target;
    partial += ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!out)
            return QStringLiteral("Cannot write %1: %2")
                .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        protocol::DstraceWriter writer(out);
        if (progress)
            progress->totalRecords.store(std::int64_t(records.size()));
        bool stopped = false;
        for (const std::string& value : records) {
            if (cancelled(cancel)) {
                stopped = true;
                break;
            }
            if (!writer.append(value).ok())
                break;
            if (progress)
                progress->records.store(std::int64_t(writer.records()), std::memory_order_relaxed);
        }
        out.flush();
        if (stopped) {
            out.close();
            std::error_code ignored;
            std::filesystem::remove(partial, ignored);
            return QString::fromLatin1(kExportCancelled);
        }
        if (!out || writer.records() != records.size()) {
            out.close();
            std::error_code ignored;
            std::filesystem::remove(partial, ignored);
            return QStringLiteral("Cannot write %1: writing failed (is the disk full?)").arg(path);
        }
    }
    std::error_code error;
    std::filesystem::rename(partial, target, error);
    if (error) {
        std::error_code ignored;
        std::filesystem::remove(partial, ignored);
        return QStringLiteral("Cannot write %1: %2")
            .arg(path, QString::fromStdString(error.message()));
    }
    return {};
}

QString writeTraceJson(const QString& path, const std::vector<std::string>& records,
                       const nlohmann::json& summary, const std::atomic<bool>* cancel,
                       TraceProgress* progress)
{
    nlohmann::json out = {{"format", "nexus-console-trace/1"}, {"summary", summary}};
    nlohmann::json& list = out["records"] = nlohmann::json::array();
    protocol::RecordDecoder decoder;
    if (progress)
        progress->totalRecords.store(std::int64_t(records.size()));
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (cancelled(cancel))
            return QString::fromLatin1(kExportCancelled); // nothing opened yet: nothing written
        if (progress)
            progress->records.store(std::int64_t(i), std::memory_order_relaxed);
        protocol::ds::DashStreamMessage message;
        auto info = decoder.decode(records[i], message);
        nlohmann::json entry = info
                                   ? protocol::decodedRecordToJson(message, *info)
                                   : nlohmann::json{{"error", protocol::errorToJson(info.error())}};
        entry["index"] = i;
        list.push_back(std::move(entry));
    }
    // Invalid UTF-8 from the wire is replaced, never a reason to fail the export.
    const std::string text = out.dump(1, '\t', false, nlohmann::json::error_handler_t::replace);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
    if (file.write(text.data(), qint64(text.size())) != qint64(text.size()) ||
        file.write("\n", 1) != 1) {
        file.cancelWriting();
        return QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
    }
    if (!file.commit())
        return QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
    return {};
}

} // namespace nexus::app
