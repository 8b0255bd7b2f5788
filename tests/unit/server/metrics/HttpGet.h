#pragma once
// A tiny HTTP/1.0 GET over a loopback TCP socket for the metrics tests
// (server tests do not link Qt Network): enough for /metrics and
// Prometheus' /api/v1/query. Plain POSIX sockets, blocking, with a timeout.

#include <arpa/inet.h>
#include <cstdint>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace nexus::test {

struct HttpReply
{
    int status = 0; // 0 = no answer (refused, timed out, not HTTP)
    std::string body;
};

// `address` is "HOST:PORT" with an IPv4 host; `target` the path and query.
inline HttpReply httpGet(const std::string& address, const std::string& target,
                         int timeoutMs = 5000)
{
    HttpReply reply;
    const auto colon = address.rfind(':');
    if (colon == std::string::npos)
        return reply;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
    if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1)
        return reply;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return reply;
    timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return reply;
    }
    const std::string request = "GET " + target + " HTTP/1.0\r\nHost: " + address +
                                "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
        ::close(fd);
        return reply;
    }
    std::string raw;
    char buffer[16384];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
        raw.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    const auto headerEnd = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.", 0) != 0 || headerEnd == std::string::npos)
        return reply;
    reply.status = std::stoi(raw.substr(9, 3));
    reply.body = raw.substr(headerEnd + 4);
    return reply;
}

// A loopback port nobody listens on right now (bound, read, released).
inline int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

} // namespace nexus::test
