#pragma once
// A fixed number of texts, each present or absent, kept in one allocation:
// a header of lengths, then the bytes one after the other. A store that
// keeps several short texts per entry for up to millions of entries pays
// one pointer and one heap block per entry instead of a std::string (32
// bytes, and a block of its own past 15 characters) per text.
//
// Immutable once built; copying copies the block.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace authsim::support {

template <std::size_t N>
class packed_text {
 public:
  packed_text() = default;

  // Each text, or nullopt for an absent one. Texts longer than 4 GiB - 2
  // are refused (no caller comes near).
  explicit packed_text(const std::array<std::optional<std::string_view>, N>& texts) {
    std::size_t total = header_bytes;
    for (const auto& t : texts) {
      if (t) {
        if (t->size() >= absent) {
          throw std::length_error("packed_text: a text of 4 GiB or more");
        }
        total += t->size();
      }
    }
    block_ = std::make_unique_for_overwrite<char[]>(total);
    char* out = block_.get() + header_bytes;
    for (std::size_t i = 0; i < N; ++i) {
      const std::uint32_t length = texts[i] ? static_cast<std::uint32_t>(texts[i]->size()) : absent;
      std::memcpy(block_.get() + i * sizeof(std::uint32_t), &length, sizeof length);
      if (texts[i] && !texts[i]->empty()) {
        std::memcpy(out, texts[i]->data(), texts[i]->size());
        out += texts[i]->size();
      }
    }
  }

  packed_text(packed_text&&) noexcept = default;
  packed_text& operator=(packed_text&&) noexcept = default;
  packed_text(const packed_text& other) { *this = other; }
  packed_text& operator=(const packed_text& other) {
    if (this != &other) {
      if (!other.block_) {
        block_.reset();
      } else {
        const std::size_t total = other.total_bytes();
        block_ = std::make_unique_for_overwrite<char[]>(total);
        std::memcpy(block_.get(), other.block_.get(), total);
      }
    }
    return *this;
  }

  // The i-th text; nullopt when absent (or when nothing was packed).
  [[nodiscard]] std::optional<std::string_view> get(std::size_t i) const {
    if (!block_ || i >= N) {
      return std::nullopt;
    }
    std::size_t offset = header_bytes;
    for (std::size_t j = 0; j < i; ++j) {
      const std::uint32_t l = length(j);
      offset += l == absent ? 0 : l;
    }
    const std::uint32_t l = length(i);
    if (l == absent) {
      return std::nullopt;
    }
    return std::string_view(block_.get() + offset, l);
  }

  // The i-th text, or "" when absent.
  [[nodiscard]] std::string_view value_or_empty(std::size_t i) const { return get(i).value_or(std::string_view()); }

 private:
  static constexpr std::uint32_t absent = UINT32_MAX;
  static constexpr std::size_t header_bytes = N * sizeof(std::uint32_t);

  [[nodiscard]] std::uint32_t length(std::size_t i) const {
    std::uint32_t l = 0;
    std::memcpy(&l, block_.get() + i * sizeof(std::uint32_t), sizeof l);
    return l;
  }
  [[nodiscard]] std::size_t total_bytes() const {
    std::size_t total = header_bytes;
    for (std::size_t i = 0; i < N; ++i) {
      const std::uint32_t l = length(i);
      total += l == absent ? 0 : l;
    }
    return total;
  }

  std::unique_ptr<char[]> block_;
};

}  // namespace authsim::support
