#include "support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace authsim::testing {

temp_dir::temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "authsim-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path temp_dir::write(const std::string& name, const std::string& content) const {
  const auto file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
  return file;
}

}  // namespace authsim::testing

namespace authsim::testing {

fixture_copy::fixture_copy() {
  for (const char* name : {"creditpay.json", "uocs.json"}) {
    std::filesystem::copy_file(std::filesystem::path(AUTHSIM_FIXTURES_DIR) / name, path() / name);
  }
}

void fixture_copy::scenario(const std::string& name, const std::string& json) const {
  write("scenarios/" + name + ".json", json);
}

}  // namespace authsim::testing
