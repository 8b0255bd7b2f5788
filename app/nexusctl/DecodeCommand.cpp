// nexusctl decode: DashStream records -> JSON Lines (one object per record).
#include "protocol/Dstrace.h"
#include "protocol/Framing.h"
#include "protocol/MessageJson.h"

#include "Commands.h"
#include "Output.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

namespace nexusctl {

namespace {

void printHelp()
{
    std::printf(
        "Usage: nexusctl decode [--raw] [--max-bytes N] [--json] FILE\n\n"
        "Prints every DashStream record of FILE as one JSON object per line.\n"
        "FILE is a .dstrace file (records as 4-byte big-endian length + Kafka record value),\n"
        "or with --raw one bare Kafka record value. Use - for standard input.\n"
        "A bad record prints {\"index\":N,\"offset\":B,\"error\":{\"code\",\"message\"}} and\n"
        "decoding goes on with the next one.\n\n"
        "Options:\n"
        "  --raw           FILE is one record value, not a .dstrace file\n"
        "  --max-bytes N   largest message accepted after decompression (default 10485760)\n"
        "  --json          accepted for uniformity (the output is always JSON Lines)\n"
        "  -h, --help      show this help\n\n"
        "Exit status: 0 all records decoded, 1 some records were bad, 2 usage or I/O error.\n");
}

struct Options
{
    bool raw = false;
    std::size_t maxBytes = 10 * nexus::protocol::kMiB;
    std::string path;
};

int parse(const Args& args, Options& o)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            printHelp();
            return 0;
        }
        if (a == "--raw") {
            o.raw = true;
        } else if (a == "--json") {
            // Accepted for uniformity: decode always prints JSON Lines.
        } else if (a == "--max-bytes" && i + 1 < args.size()) {
            try {
                o.maxBytes = std::stoull(args[++i]);
            } catch (...) {
                return printError("decode", "--max-bytes needs a number", 2);
            }
        } else if (!a.empty() && a[0] == '-' && a != "-") {
            return printError("decode", "unknown option '" + a + "'", 2);
        } else if (o.path.empty()) {
            o.path = a;
        } else {
            return printError("decode", "one FILE only", 2);
        }
    }
    if (o.path.empty()) {
        return printError("decode", "missing FILE (see nexusctl decode --help)", 2);
    }
    return -1;
}

} // namespace

int decodeCommand(const Args& args)
{
    Options o;
    if (const int rc = parse(args, o); rc >= 0)
        return rc;

    std::ifstream file;
    std::istream* in = &std::cin;
    if (o.path != "-") {
        file.open(o.path, std::ios::binary);
        if (!file) {
            return printError("decode", "cannot open '" + o.path + "'", 2);
        }
        in = &file;
    }

    nexus::protocol::DecodeLimits limits;
    limits.maxMessageBytes = o.maxBytes;
    limits.maxRecordBytes = std::max(limits.maxRecordBytes, o.maxBytes + 1);
    nexus::protocol::RecordDecoder decoder(limits);
    nexus::protocol::ds::DashStreamMessage message;
    bool anyBad = false;

    auto emit = [&](std::uint64_t index, std::uint64_t offset, std::string_view value) {
        nlohmann::json line;
        auto info = decoder.decode(value, message);
        if (info) {
            line = nexus::protocol::decodedRecordToJson(message, *info);
        } else {
            anyBad = true;
            line["error"] = nexus::protocol::errorToJson(info.error());
        }
        line["index"] = index;
        line["offset"] = offset;
        std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    };

    if (o.raw) {
        const std::string value((std::istreambuf_iterator<char>(*in)),
                                std::istreambuf_iterator<char>());
        emit(0, 0, value);
    } else {
        nexus::protocol::DstraceReader reader(*in,
                                              static_cast<std::uint32_t>(limits.maxRecordBytes));
        while (auto next = reader.next()) {
            if (next->ok()) {
                emit(next->value().index, next->value().offset, next->value().value);
            } else {
                anyBad = true;
                nlohmann::json line = {{"error", nexus::protocol::errorToJson(next->error())}};
                std::cout << line.dump() << '\n';
            }
        }
    }
    std::cout.flush();
    return anyBad ? 1 : 0;
}

} // namespace nexusctl
