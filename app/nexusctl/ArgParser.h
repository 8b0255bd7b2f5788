#pragma once
// Minimal argument parsing for nexusctl subcommands: positionals, flags and
// "--name value" options, with unknown options reported.

#include "Commands.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nexusctl {

class ArgParser
{
public:
    // `valued` options take a value; `flags` do not.
    ArgParser(const Args& args, std::set<std::string> valued, std::set<std::string> flags);

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    const std::vector<std::string>& positional() const { return positional_; }
    bool flag(const std::string& name) const { return flags_.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::string value(const std::string& name, const std::string& fallback) const;
    // The option as an integer (fallback when absent); nullopt when it is not one.
    std::optional<long long> integer(const std::string& name, long long fallback) const;

private:
    std::vector<std::string> positional_;
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
    std::string error_;
};

} // namespace nexusctl
