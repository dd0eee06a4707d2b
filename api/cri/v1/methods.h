/* The CRI v1 unary methods as an X-macro list, for code generated per method. */
#ifndef KL_CRI_V1_METHODS_H
#define KL_CRI_V1_METHODS_H

#include "api/cri/v1/api.pb-c.h"

/* X(function, Method, Service, Request, Response, response_descriptor) for
   every unary method. PullImage and ExecSync are declared by hand below:
   their deadlines differ. GetContainerEvents streams and is not offered. */
#define KL_CRI_UNARY_METHODS(X)                                                                    \
  X (version, Version, RuntimeService, VersionRequest, VersionResponse, version_response)          \
  X (run_pod_sandbox, RunPodSandbox, RuntimeService, RunPodSandboxRequest, RunPodSandboxResponse,  \
     run_pod_sandbox_response)                                                                     \
  X (stop_pod_sandbox, StopPodSandbox, RuntimeService, StopPodSandboxRequest,                      \
     StopPodSandboxResponse, stop_pod_sandbox_response)                                            \
  X (remove_pod_sandbox, RemovePodSandbox, RuntimeService, RemovePodSandboxRequest,                \
     RemovePodSandboxResponse, remove_pod_sandbox_response)                                        \
  X (pod_sandbox_status, PodSandboxStatus, RuntimeService, PodSandboxStatusRequest,                \
     PodSandboxStatusResponse, pod_sandbox_status_response)                                        \
  X (list_pod_sandbox, ListPodSandbox, RuntimeService, ListPodSandboxRequest,                      \
     ListPodSandboxResponse, list_pod_sandbox_response)                                            \
  X (create_container, CreateContainer, RuntimeService, CreateContainerRequest,                    \
     CreateContainerResponse, create_container_response)                                           \
  X (start_container, StartContainer, RuntimeService, StartContainerRequest,                       \
     StartContainerResponse, start_container_response)                                             \
  X (stop_container, StopContainer, RuntimeService, StopContainerRequest, StopContainerResponse,   \
     stop_container_response)                                                                      \
  X (remove_container, RemoveContainer, RuntimeService, RemoveContainerRequest,                    \
     RemoveContainerResponse, remove_container_response)                                           \
  X (list_containers, ListContainers, RuntimeService, ListContainersRequest,                       \
     ListContainersResponse, list_containers_response)                                             \
  X (container_status, ContainerStatus, RuntimeService, ContainerStatusRequest,                    \
     ContainerStatusResponse, container_status_response)                                           \
  X (update_container_resources, UpdateContainerResources, RuntimeService,                         \
     UpdateContainerResourcesRequest, UpdateContainerResourcesResponse,                            \
     update_container_resources_response)                                                          \
  X (reopen_container_log, ReopenContainerLog, RuntimeService, ReopenContainerLogRequest,          \
     ReopenContainerLogResponse, reopen_container_log_response)                                    \
  X (exec, Exec, RuntimeService, ExecRequest, ExecResponse, exec_response)                         \
  X (attach, Attach, RuntimeService, AttachRequest, AttachResponse, attach_response)               \
  X (port_forward, PortForward, RuntimeService, PortForwardRequest, PortForwardResponse,           \
     port_forward_response)                                                                        \
  X (container_stats, ContainerStats, RuntimeService, ContainerStatsRequest,                       \
     ContainerStatsResponse, container_stats_response)                                             \
  X (list_container_stats, ListContainerStats, RuntimeService, ListContainerStatsRequest,          \
     ListContainerStatsResponse, list_container_stats_response)                                    \
  X (pod_sandbox_stats, PodSandboxStats, RuntimeService, PodSandboxStatsRequest,                   \
     PodSandboxStatsResponse, pod_sandbox_stats_response)                                          \
  X (list_pod_sandbox_stats, ListPodSandboxStats, RuntimeService, ListPodSandboxStatsRequest,      \
     ListPodSandboxStatsResponse, list_pod_sandbox_stats_response)                                 \
  X (update_runtime_config, UpdateRuntimeConfig, RuntimeService, UpdateRuntimeConfigRequest,       \
     UpdateRuntimeConfigResponse, update_runtime_config_response)                                  \
  X (status, Status, RuntimeService, StatusRequest, StatusResponse, status_response)               \
  X (checkpoint_container, CheckpointContainer, RuntimeService, CheckpointContainerRequest,        \
     CheckpointContainerResponse, checkpoint_container_response)                                   \
  X (list_images, ListImages, ImageService, ListImagesRequest, ListImagesResponse,                 \
     list_images_response)                                                                         \
  X (image_status, ImageStatus, ImageService, ImageStatusRequest, ImageStatusResponse,             \
     image_status_response)                                                                        \
  X (remove_image, RemoveImage, ImageService, RemoveImageRequest, RemoveImageResponse,             \
     remove_image_response)                                                                        \
  X (image_fs_info, ImageFsInfo, ImageService, ImageFsInfoRequest, ImageFsInfoResponse,            \
     image_fs_info_response)

#endif
