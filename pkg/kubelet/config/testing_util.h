/* Test helpers: load a configuration from an argument vector, write files in a temp dir. */
#ifndef KL_KUBELET_CONFIG_TESTING_UTIL_H
#define KL_KUBELET_CONFIG_TESTING_UTIL_H

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern "C" {
#include "pkg/kubelet/config/config.h"
}

class ConfigTestBase : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    const char *base = getenv ("TEST_TMPDIR");
    std::string tmpl = std::string (base ? base : "/tmp") + "/kubelet-config-XXXXXX";
    ASSERT_NE (mkdtemp (&tmpl[0]), nullptr);
    dir = tmpl;
  }

  void
  TearDown () override
  {
    kl_kubelet_config_free (config);
    kl_error_release (&err);
    std::filesystem::remove_all (dir);
  }

  /* Loads with argv = {"kubelet", args...}; earlier results are released. */
  int
  load (std::vector<std::string> args, const kl_flag_table_t *extra = nullptr, size_t n_extra = 0)
  {
    kl_kubelet_config_free (config);
    config = nullptr;
    kl_error_release (&err);
    storage = std::move (args);
    std::vector<char *> argv;
    argv.push_back ((char *) "kubelet");
    for (auto &a : storage)
      argv.push_back (&a[0]);
    argv.push_back (nullptr);
    return kl_kubelet_config_load_with_flags ((int) argv.size () - 1, argv.data (), extra, n_extra,
                                              &config, &err);
  }

  std::string
  write_file (const std::string &name, const std::string &content)
  {
    std::string path = dir + "/" + name;
    std::ofstream f (path, std::ios::binary);
    f << content;
    return path;
  }

  std::string
  message ()
  {
    return kl_error_message (err);
  }

  std::string dir;
  kl_kubelet_config_t *config = nullptr;
  kl_error_t err = nullptr;
  std::vector<std::string> storage;
};

#endif
