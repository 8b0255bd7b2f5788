#pragma once
// Reads Prometheus' text exposition into samples, for the metrics tests.

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace nexus::test {

struct Sample
{
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

inline std::vector<Sample> parseExposition(const std::string& text)
{
    std::vector<Sample> samples;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#')
            continue;
        Sample s;
        std::size_t i = line.find_first_of("{ ");
        s.name = line.substr(0, i);
        if (i != std::string::npos && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                const auto eq = line.find('=', i);
                const std::string key = line.substr(i, eq - i);
                std::string value;
                std::size_t j = eq + 2; // past ="
                for (; j < line.size() && line[j] != '"'; ++j) {
                    if (line[j] == '\\' && j + 1 < line.size())
                        ++j;
                    value += line[j];
                }
                s.labels[key] = value;
                i = j + 1;
                if (i < line.size() && line[i] == ',')
                    ++i;
            }
            ++i;
        }
        s.value = std::stod(line.substr(line.find_first_not_of(' ', i)));
        samples.push_back(std::move(s));
    }
    return samples;
}

// The samples named `name` whose labels include every one of `match`.
inline std::vector<Sample> select(const std::vector<Sample>& samples, const std::string& name,
                                  const std::map<std::string, std::string>& match = {})
{
    std::vector<Sample> out;
    for (const auto& s : samples) {
        if (s.name != name)
            continue;
        bool all = true;
        for (const auto& [k, v] : match) {
            const auto it = s.labels.find(k);
            all = all && it != s.labels.end() && it->second == v;
        }
        if (all)
            out.push_back(s);
    }
    return out;
}

// The value of the one sample that matches; nullopt when none or several do.
inline std::optional<double> valueOf(const std::vector<Sample>& samples, const std::string& name,
                                     const std::map<std::string, std::string>& match = {})
{
    const auto found = select(samples, name, match);
    if (found.size() != 1)
        return std::nullopt;
    return found.front().value;
}

} // namespace nexus::test
