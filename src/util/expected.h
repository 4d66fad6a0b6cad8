// Errors as values at load and I/O time (STYLE.md principle 3).
//
// `Expected<T>` holds either a value or an `Error`. Library code returns it; only the command-line layer
// turns an `Error` into a message and an exit code. An `Error` carries a human message that already names the
// file, line or field it is about, plus an `ErrorKind` that decides the exit code:
//   BadInput  -> exit 2 (bad usage, unreadable/garbled file, invalid config)
//   Internal  -> exit 1 (anything else: an OS call failed, a library refused)
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace lc {

enum class ErrorKind { BadInput, Internal };

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;

  static Error bad_input(std::string msg) { return Error{ErrorKind::BadInput, std::move(msg)}; }
  static Error internal(std::string msg) { return Error{ErrorKind::Internal, std::move(msg)}; }
  // "file:line: msg", the form compilers use, so editors can jump to it.
  static Error at(const std::string& file, long line, const std::string& msg) {
    return bad_input(file + ":" + std::to_string(line) + ": " + msg);
  }
  int exit_code() const { return kind == ErrorKind::BadInput ? 2 : 1; }
};

template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Expected(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return m_v.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(m_v); }

 private:
  std::variant<T, Error> m_v;
};

// Success with no value.
struct Ok {};
using Status = Expected<Ok>;
inline Status ok() { return Ok{}; }

}  // namespace lc

// Propagate an error from an Expected-returning expression; otherwise yield its value.
#define LC_TRY(var, expr)                               \
  auto var##_lc_result = (expr);                        \
  if (!var##_lc_result) return var##_lc_result.error(); \
  auto var = std::move(var##_lc_result).value()

#define LC_TRY_STATUS(expr)                 \
  do {                                      \
    auto lc_status_ = (expr);               \
    if (!lc_status_) return lc_status_.error(); \
  } while (0)
