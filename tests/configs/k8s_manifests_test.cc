// The Kubernetes manifests in packaging/k8s/, read as the API server and kubelet would: kinds and
// references, volumes, privileges, resources, probes, and the pipelines the pods actually load.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/stage_chain.h"
#include "tests/configs/packaging_support.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::source_path;

struct Document {
  std::string file;
  YAML::Node node;
  std::string kind() const { return node["kind"].as<std::string>(""); }
  std::string name() const { return node["metadata"]["name"].as<std::string>(""); }
};

struct Pod {
  std::string where;  // file and object, for failure messages
  YAML::Node spec;
  bool ray = false;  // a Ray head or worker pod, where tailcast is a sidecar
};

std::vector<Document> load_manifests() {
  std::vector<fs::path> files;
  for (const auto& item : fs::directory_iterator(source_path("packaging/k8s")))
    if (item.path().extension() == ".yaml") files.push_back(item.path());
  std::sort(files.begin(), files.end());
  std::vector<Document> documents;
  for (const auto& file : files) {
    try {
      for (const auto& node : YAML::LoadAllFromFile(file.string()))
        if (node && !node.IsNull()) documents.push_back({file.filename().string(), node});
    } catch (const YAML::Exception& e) {
      ADD_FAILURE() << file << ": " << e.what();
    }
  }
  return documents;
}

std::vector<Pod> pods_of(const std::vector<Document>& documents) {
  std::vector<Pod> pods;
  for (const auto& doc : documents) {
    std::string where = doc.file + " " + doc.kind() + "/" + doc.name();
    if (doc.kind() == "DaemonSet" || doc.kind() == "Deployment" || doc.kind() == "StatefulSet") {
      pods.push_back({where, doc.node["spec"]["template"]["spec"], false});
      continue;
    }
    YAML::Node cluster;
    if (doc.kind() == "RayService") cluster = doc.node["spec"]["rayClusterConfig"];
    if (doc.kind() == "RayCluster") cluster = doc.node["spec"];
    if (!cluster.IsMap()) continue;
    pods.push_back({where + " head", cluster["headGroupSpec"]["template"]["spec"], true});
    for (const auto& group : cluster["workerGroupSpecs"])
      pods.push_back({where + " workers " + group["groupName"].as<std::string>(""),
                      group["template"]["spec"], true});
  }
  return pods;
}

// Regular and init containers alike.
std::vector<YAML::Node> containers_of(const YAML::Node& spec) {
  std::vector<YAML::Node> out;
  for (const char* list : {"containers", "initContainers"})
    for (const auto& container : spec[list]) out.push_back(container);
  return out;
}

bool is_tailcast(const YAML::Node& container) {
  return container["image"].as<std::string>("").rfind("tailcast", 0) == 0 && !container["command"];
}

YAML::Node volume_named(const YAML::Node& spec, const std::string& name) {
  for (const auto& volume : spec["volumes"])
    if (volume["name"].as<std::string>("") == name) return volume;
  return YAML::Node();
}

// The volume mounted at or above `path` in `container`, with the path inside it.
std::optional<std::pair<YAML::Node, std::string>> mount_holding(const YAML::Node& container,
                                                                const std::string& path) {
  for (const auto& mount : container["volumeMounts"]) {
    std::string at = mount["mountPath"].as<std::string>("");
    if (path == at) return std::make_pair(mount, std::string());
    if (path.rfind(at + "/", 0) == 0) return std::make_pair(mount, path.substr(at.size() + 1));
  }
  return std::nullopt;
}

std::string flag_value(const YAML::Node& container, const std::string& flag) {
  for (const auto& arg : container["args"]) {
    std::string text = arg.as<std::string>("");
    if (text.rfind(flag + "=", 0) == 0) return text.substr(flag.size() + 1);
  }
  return "";
}

// The pipeline text a tailcast container loads: its -config.file, through its volume mount, out of
// the ConfigMap the volume projects.
std::string pipeline_text(const std::vector<Document>& documents, const Pod& pod,
                          const YAML::Node& container) {
  std::string file = flag_value(container, "-config.file");
  auto mount = mount_holding(container, file);
  if (file.empty() || !mount) return "";
  YAML::Node projected =
      volume_named(pod.spec, mount->first["name"].as<std::string>(""))["configMap"];
  if (!projected) return "";
  std::string key = mount->second;
  for (const auto& item : projected["items"])
    if (item["path"].as<std::string>("") == mount->second) key = item["key"].as<std::string>("");
  for (const auto& doc : documents)
    if (doc.kind() == "ConfigMap" && doc.name() == projected["name"].as<std::string>(""))
      return doc.node["data"][key].as<std::string>("");
  return "";
}

// Loads the pipeline with the container's environment: its literal values, a stand-in for values
// the downward API fills in, and every other variable the pipeline names unset.
Result<config::Config> load_pod_pipeline(const std::string& text, const YAML::Node& container) {
  std::map<std::string, std::optional<std::string>> env;
  for (const auto& name : testing::referenced_env_names(text)) env[name] = std::nullopt;
  for (const auto& var : container["env"])
    env[var["name"].as<std::string>()] =
        var["value"] ? var["value"].as<std::string>() : std::string("from-downward-api");
  testing::ScopedEnv scoped(env);
  return config::parse_config(config::expand_env(text), "pod.yaml");
}

int container_port(const YAML::Node& container, const YAML::Node& port) {
  for (const auto& declared : container["ports"])
    if (declared["name"].as<std::string>("") == port.as<std::string>(""))
      return declared["containerPort"].as<int>(-1);
  return port.as<int>(-1);
}

TEST(K8sManifests, EveryDocumentHasAKnownKindApiVersionAndName) {
  const std::map<std::string, std::string> api_versions = {{"ConfigMap", "v1"},
                                                           {"ServiceAccount", "v1"},
                                                           {"DaemonSet", "apps/v1"},
                                                           {"RayService", "ray.io/v1"},
                                                           {"RayCluster", "ray.io/v1"}};
  std::set<std::string> kinds;
  for (const auto& doc : load_manifests()) {
    ASSERT_TRUE(api_versions.count(doc.kind())) << doc.file << ": kind " << doc.kind();
    EXPECT_EQ(doc.node["apiVersion"].as<std::string>(""), api_versions.at(doc.kind())) << doc.file;
    EXPECT_FALSE(doc.name().empty()) << doc.file << " " << doc.kind();
    kinds.insert(doc.kind());
  }
  for (const char* kind : {"ConfigMap", "ServiceAccount", "DaemonSet", "RayService"})
    EXPECT_TRUE(kinds.count(kind)) << "no " << kind << " in packaging/k8s";
}

TEST(K8sManifests, EveryVolumeMountNamesAVolumeOfItsPod) {
  auto pods = pods_of(load_manifests());
  ASSERT_GE(pods.size(), 3u);  // DaemonSet, Ray head, Ray workers
  for (const auto& pod : pods) {
    for (const auto& container : containers_of(pod.spec)) {
      std::set<std::string> paths;
      for (const auto& mount : container["volumeMounts"]) {
        std::string name = mount["name"].as<std::string>("");
        EXPECT_TRUE(volume_named(pod.spec, name)) << pod.where << ": no volume " << name;
        EXPECT_TRUE(paths.insert(mount["mountPath"].as<std::string>("")).second)
            << pod.where << ": two mounts on " << mount["mountPath"].as<std::string>("");
      }
    }
  }
}

TEST(K8sManifests, RaySidecarSharesAnEmptyDirOnTmpRayWithTheRayContainer) {
  size_t ray_pods = 0;
  for (const auto& pod : pods_of(load_manifests())) {
    if (!pod.ray) continue;
    ++ray_pods;
    // KubeRay runs Ray in the first container.
    auto ray_mount = mount_holding(pod.spec["containers"][0], "/tmp/ray");
    ASSERT_TRUE(ray_mount && ray_mount->second.empty()) << pod.where << ": Ray has no /tmp/ray";
    std::string volume = ray_mount->first["name"].as<std::string>();
    EXPECT_TRUE(volume_named(pod.spec, volume)["emptyDir"]) << pod.where;
    size_t sidecars = 0;
    for (const auto& container : pod.spec["containers"]) {
      if (!is_tailcast(container)) continue;
      ++sidecars;
      auto mount = mount_holding(container, "/tmp/ray");
      ASSERT_TRUE(mount && mount->second.empty()) << pod.where << ": sidecar has no /tmp/ray";
      EXPECT_EQ(mount->first["name"].as<std::string>(), volume) << pod.where;
      EXPECT_TRUE(mount->first["readOnly"].as<bool>(false)) << pod.where;
    }
    EXPECT_EQ(sidecars, 1u) << pod.where;
  }
  EXPECT_GE(ray_pods, 2u) << "a head and at least one worker group";
}

TEST(K8sManifests, DaemonSetReadsTheNodesRayLogsReadOnlyWithItsServiceAccount) {
  auto documents = load_manifests();
  size_t checked = 0;
  for (const auto& doc : documents) {
    if (doc.kind() != "DaemonSet") continue;
    ++checked;
    YAML::Node spec = doc.node["spec"]["template"]["spec"];
    std::string account = spec["serviceAccountName"].as<std::string>("");
    EXPECT_TRUE(std::any_of(documents.begin(), documents.end(),
                            [&](const Document& other) {
                              return other.kind() == "ServiceAccount" && other.name() == account;
                            }))
        << "no ServiceAccount " << account;
    EXPECT_FALSE(spec["automountServiceAccountToken"].as<bool>(true));
    for (const auto& container : spec["containers"]) {
      if (!is_tailcast(container)) continue;
      auto mount = mount_holding(container, "/tmp/ray");
      ASSERT_TRUE(mount && mount->second.empty());
      EXPECT_TRUE(mount->first["readOnly"].as<bool>(false));
      YAML::Node host = volume_named(spec, mount->first["name"].as<std::string>())["hostPath"];
      EXPECT_EQ(host["path"].as<std::string>(""), "/tmp/ray");
    }
  }
  EXPECT_EQ(checked, 1u);
}

TEST(K8sManifests, ContainersRunAsNonRootWithoutPrivileges) {
  size_t tailcast_containers = 0;
  for (const auto& pod : pods_of(load_manifests())) {
    for (const auto& container : containers_of(pod.spec)) {
      if (!container["image"].as<std::string>("").starts_with("tailcast")) continue;
      std::string where = pod.where + " " + container["name"].as<std::string>("");
      YAML::Node security = container["securityContext"];
      EXPECT_FALSE(security["allowPrivilegeEscalation"].as<bool>(true)) << where;
      EXPECT_TRUE(security["readOnlyRootFilesystem"].as<bool>(false)) << where;
      EXPECT_EQ(security["seccompProfile"]["type"].as<std::string>(""), "RuntimeDefault") << where;
      std::vector<std::string> dropped, added;
      for (const auto& cap : security["capabilities"]["drop"])
        dropped.push_back(cap.as<std::string>());
      for (const auto& cap : security["capabilities"]["add"])
        added.push_back(cap.as<std::string>());
      EXPECT_EQ(dropped, std::vector<std::string>{"ALL"}) << where;
      if (is_tailcast(container)) {
        ++tailcast_containers;
        EXPECT_TRUE(security["runAsNonRoot"].as<bool>(false)) << where;
        EXPECT_GT(security["runAsUser"].as<int>(0), 0) << where;
        EXPECT_TRUE(added.empty()) << where;
      } else {
        // A one-shot setup step may run as root, with CAP_CHOWN alone.
        EXPECT_TRUE(added.empty() || added == std::vector<std::string>{"CHOWN"}) << where;
      }
    }
  }
  EXPECT_GE(tailcast_containers, 3u);
}

TEST(K8sManifests, EveryContainerRequestsCpuAndMemoryAndLimitsMemory) {
  for (const auto& pod : pods_of(load_manifests())) {
    for (const auto& container : containers_of(pod.spec)) {
      std::string where = pod.where + " " + container["name"].as<std::string>("");
      YAML::Node resources = container["resources"];
      EXPECT_TRUE(resources["requests"]["cpu"]) << where;
      EXPECT_TRUE(resources["requests"]["memory"]) << where;
      EXPECT_TRUE(resources["limits"]["memory"]) << where;
    }
  }
}

TEST(K8sManifests, ConfigMapPipelinesAreTheShippedConfigs) {
  const std::map<std::string, std::string> sources = {
      {"sidecar.yaml", "configs/ray-serve-sidecar.yaml"},
      {"node.yaml", "configs/ray-serve-node.yaml"}};
  size_t compared = 0;
  for (const auto& doc : load_manifests()) {
    if (doc.kind() != "ConfigMap") continue;
    for (const auto& entry : doc.node["data"]) {
      std::string key = entry.first.as<std::string>();
      ASSERT_TRUE(sources.count(key)) << "ConfigMap key " << key << " has no file in configs/";
      EXPECT_EQ(entry.second.as<std::string>(), read_file(source_path(sources.at(key))))
          << key << " differs from " << sources.at(key);
      ++compared;
    }
  }
  EXPECT_EQ(compared, sources.size());
}

TEST(K8sManifests, PipelinesLoadWithThePodsEnvironmentAndBuildEveryStage) {
  auto documents = load_manifests();
  size_t loaded = 0;
  for (const auto& pod : pods_of(documents)) {
    for (const auto& container : pod.spec["containers"]) {
      if (!is_tailcast(container)) continue;
      EXPECT_EQ(flag_value(container, "-config.expand-env"), "true") << pod.where;
      std::string text = pipeline_text(documents, pod, container);
      ASSERT_FALSE(text.empty()) << pod.where << ": -config.file is not in a mounted ConfigMap";
      auto config = load_pod_pipeline(text, container);
      ASSERT_TRUE(config) << pod.where << ": " << config.error().message;
      EXPECT_FALSE(config->clients.empty()) << pod.where;
      for (const auto& client : config->clients)
        EXPECT_EQ(client.url.rfind("http://localhost", 0), std::string::npos) << pod.where;
      for (const auto& scrape : config->scrape_configs) {
        std::vector<std::string> warnings;
        BuildContext ctx{&warnings, nullptr};
        auto chain =
            StageChain::build(scrape.pipeline_stages ? &*scrape.pipeline_stages : nullptr, ctx);
        ASSERT_TRUE(chain) << pod.where << ": " << chain.error().message;
        EXPECT_GE(chain->size(), 1u);
        EXPECT_TRUE(warnings.empty()) << pod.where << ": " << warnings.front();
      }
      EXPECT_TRUE(config->warnings.empty()) << pod.where << ": " << config->warnings.front();
      ++loaded;
    }
  }
  EXPECT_GE(loaded, 3u);
}

TEST(K8sManifests, ProbesReachReadyOnTheAddressAndPortThePipelineListensOn) {
  auto documents = load_manifests();
  for (const auto& pod : pods_of(documents)) {
    for (const auto& container : pod.spec["containers"]) {
      if (!is_tailcast(container)) continue;
      auto config = load_pod_pipeline(pipeline_text(documents, pod, container), container);
      ASSERT_TRUE(config) << pod.where << ": " << config.error().message;
      EXPECT_FALSE(config->server.disable) << pod.where;
      EXPECT_EQ(config->server.http_listen_address, "0.0.0.0") << pod.where;
      YAML::Node ready = container["readinessProbe"]["httpGet"];
      EXPECT_EQ(ready["path"].as<std::string>(""), "/ready") << pod.where;
      EXPECT_EQ(container_port(container, ready["port"]), config->server.http_listen_port)
          << pod.where;
      YAML::Node live = container["livenessProbe"];
      YAML::Node live_port =
          live["tcpSocket"] ? live["tcpSocket"]["port"] : live["httpGet"]["port"];
      EXPECT_EQ(container_port(container, live_port), config->server.http_listen_port) << pod.where;
    }
  }
}

TEST(K8sManifests, PositionsFileIsOnAWritableVolumeThatOutlivesTheContainer) {
  auto documents = load_manifests();
  for (const auto& pod : pods_of(documents)) {
    for (const auto& container : pod.spec["containers"]) {
      if (!is_tailcast(container)) continue;
      auto config = load_pod_pipeline(pipeline_text(documents, pod, container), container);
      ASSERT_TRUE(config) << pod.where << ": " << config.error().message;
      // The root file system is read-only: positions must be on a volume.
      auto mount = mount_holding(container, config->positions.filename);
      ASSERT_TRUE(mount && !mount->second.empty())
          << pod.where << ": " << config->positions.filename;
      EXPECT_FALSE(mount->first["readOnly"].as<bool>(false)) << pod.where;
      YAML::Node volume = volume_named(pod.spec, mount->first["name"].as<std::string>());
      EXPECT_TRUE(pod.ray ? bool(volume["emptyDir"]) : bool(volume["hostPath"])) << pod.where;
    }
  }
}

}  // namespace
}  // namespace tailcast
