#include "ArgParser.h"

namespace nexusctl {

ArgParser::ArgParser(const Args& args, std::set<std::string> valued, std::set<std::string> flags)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() > 2 && a.rfind("--", 0) == 0) {
            std::string name = a.substr(2);
            std::optional<std::string> inlineValue;
            if (auto eq = name.find('='); eq != std::string::npos) {
                inlineValue = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            if (valued.count(name)) {
                if (inlineValue) {
                    values_[name] = *inlineValue;
                } else if (i + 1 < args.size()) {
                    values_[name] = args[++i];
                } else {
                    error_ = "--" + name + " needs a value";
                    return;
                }
            } else if (flags.count(name) && !inlineValue) {
                flags_.insert(name);
            } else {
                error_ = "unknown option --" + name;
                return;
            }
        } else {
            positional_.push_back(a);
        }
    }
}

std::optional<std::string> ArgParser::value(const std::string& name) const
{
    auto it = values_.find(name);
    return it == values_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::string ArgParser::value(const std::string& name, const std::string& fallback) const
{
    return value(name).value_or(fallback);
}

std::optional<long long> ArgParser::integer(const std::string& name, long long fallback) const
{
    auto v = value(name);
    if (!v)
        return fallback;
    try {
        std::size_t used = 0;
        const long long n = std::stoll(*v, &used);
        if (used == v->size())
            return n;
    } catch (...) {
    }
    return std::nullopt;
}

} // namespace nexusctl
