#pragma once
// Reading a small text file (token file, config, TLS PEM) whole.

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace nexus::server {

// The file's content, or nullopt when it cannot be opened.
inline std::optional<std::string> readTextFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace nexus::server
