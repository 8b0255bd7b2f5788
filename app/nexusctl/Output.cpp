#include "Output.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

namespace nexusctl {

void Table::print() const
{
    std::vector<std::size_t> widths;
    for (const auto& row : rows_)
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.push_back(0);
            widths[i] = std::max(widths[i], row[i].size());
        }
    for (const auto& row : rows_) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size())
                line.append(widths[i] - row[i].size() + 2, ' ');
        }
        std::printf("%s\n", line.c_str());
    }
}

void printJson(const google::protobuf::Message& message)
{
    std::string out;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(message, &out, options);
    std::printf("%s\n", out.c_str());
}

namespace {
bool jsonErrorsOn = false;
}

void setJsonErrors(bool on)
{
    jsonErrorsOn = on;
}

bool jsonErrors()
{
    return jsonErrorsOn;
}

int printError(const std::string& where, const std::string& message, int code)
{
    const std::string prefix = where.empty() ? "nexusctl" : "nexusctl " + where;
    if (jsonErrorsOn) {
        const nlohmann::json error = {{"error", where.empty() ? message : where + ": " + message},
                                      {"code", code}};
        std::fprintf(stderr, "%s\n",
                     error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        std::fprintf(stderr, "%s: %s\n", prefix.c_str(), message.c_str());
    }
    return code;
}

std::string formatTime(std::int64_t us)
{
    if (us <= 0)
        return "-";
    const std::time_t t = static_cast<std::time_t>(us / 1'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string formatDuration(std::int64_t us)
{
    char buf[32];
    if (us < 1'000'000)
        std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(us / 1000));
    else
        std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(us) / 1e6);
    return buf;
}

std::string formatMoney(std::int64_t micros)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "$%.4f", static_cast<double>(micros) / 1e6);
    return buf;
}

std::string formatFixed(double v, int decimals)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string formatPercent(double ratio)
{
    return formatFixed(ratio * 100.0, 1) + " %";
}

std::string enumSuffix(const std::string& name, const std::string& prefix)
{
    std::string s = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

} // namespace nexusctl
