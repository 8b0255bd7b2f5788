#pragma once
// Printing for nexusctl: aligned tables for people, protobuf JSON for scripts.

#include <cstdint>
#include <google/protobuf/message.h>
#include <string>
#include <vector>

namespace nexusctl {

class Table
{
public:
    explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print() const;

private:
    std::vector<std::vector<std::string>> rows_;
};

// The message as one line of JSON (proto field names, 64-bit integers as strings
// per the protobuf JSON mapping).
void printJson(const google::protobuf::Message& message);

// Errors: with --json anywhere on the command line (main() turns this on),
// every error goes to stderr as one JSON object {"error": "...", "code": N},
// N being the exit code; otherwise as "nexusctl <where>: <message>".
void setJsonErrors(bool on);
bool jsonErrors();
// Prints the error and returns `code` (the exit code).
int printError(const std::string& where, const std::string& message, int code);

std::string formatTime(std::int64_t us);      // "2026-11-24 06:20:00" UTC, "-" for 0
std::string formatDuration(std::int64_t us);  // "1.25 s", "340 ms"
std::string formatMoney(std::int64_t micros); // "$0.0123"
std::string formatFixed(double v, int decimals);
std::string formatPercent(double ratio); // 0.125 -> "12.5 %"
std::string enumSuffix(const std::string& name,
                       const std::string& prefix); // strip prefix, lowercase

} // namespace nexusctl
