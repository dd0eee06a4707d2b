/* Test fixtures shared by the server's tests: a pod using every field and its status. */
#ifndef KL_KUBELET_SERVER_TESTING_PODS_H
#define KL_KUBELET_SERVER_TESTING_PODS_H

#include <gtest/gtest.h>

#include <stdlib.h>
#include <string.h>

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/status/types.h"
}

namespace kl_server_testing {

/* Every field of the Pod model, so that the round trip below proves each
   name the encoder writes is the one the API (and our decoder) reads. */
inline const char kManifest[] = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
  uid: 5f2d8c4e-0000-4000-8000-000000000001
  labels:
    app: web
    tier: frontend
  annotations:
    kubernetes.io/config.source: file
spec:
  nodeName: node-1
  restartPolicy: Always
  terminationGracePeriodSeconds: 45
  activeDeadlineSeconds: 3600
  dnsPolicy: ClusterFirst
  nodeSelector:
    disk: ssd
  hostname: web-0
  subdomain: web
  priorityClassName: system-node-critical
  priority: 2000001000
  runtimeClassName: runc
  enableServiceLinks: false
  hostPID: true
  shareProcessNamespace: false
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    runAsNonRoot: true
    supplementalGroups: [4000, 5000]
    fsGroup: 2000
    sysctls:
    - name: net.ipv4.ip_local_port_range
      value: "1024 65000"
    seccompProfile:
      type: RuntimeDefault
  tolerations:
  - key: node-role.kubernetes.io/master
    operator: Exists
    effect: NoSchedule
  - key: node.kubernetes.io/not-ready
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 300
  hostAliases:
  - ip: 10.0.0.10
    hostnames: [db, db.local]
  dnsConfig:
    nameservers: [1.1.1.1]
    searches: [svc.cluster.local]
    options:
    - name: ndots
      value: "2"
    - name: edns0
  volumes:
  - name: data
    hostPath:
      path: /var/lib/web
      type: DirectoryOrCreate
  - name: cache
    emptyDir:
      medium: Memory
      sizeLimit: 64Mi
  - name: scratch
  initContainers:
  - name: init
    image: busybox:1.36
    command: [sh, -c, "echo init"]
  containers:
  - name: app
    image: nginx:1.25
    command: [nginx]
    args: [-g, "daemon off;"]
    workingDir: /srv
    ports:
    - name: http
      containerPort: 8080
      protocol: TCP
    - containerPort: 5353
      hostPort: 5353
      protocol: UDP
      hostIP: 127.0.0.1
    env:
    - name: MODE
      value: production
    - name: EMPTY
    resources:
      limits:
        cpu: "1"
        memory: 256Mi
        ephemeral-storage: 1G
      requests:
        cpu: 250m
        memory: "1500"
    volumeMounts:
    - name: data
      mountPath: /data
      readOnly: true
      subPath: web
      mountPropagation: HostToContainer
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        scheme: HTTP
        httpHeaders:
        - name: X-Probe
          value: liveness
      initialDelaySeconds: 5
      periodSeconds: 10
      terminationGracePeriodSeconds: 10
    readinessProbe:
      tcpSocket:
        port: http
    startupProbe:
      exec:
        command: [cat, /tmp/ready]
      failureThreshold: 30
    lifecycle:
      postStart:
        exec:
          command: [sh, -c, "echo started"]
      preStop:
        httpGet:
          path: /drain
          port: 8080
    terminationMessagePolicy: FallbackToLogsOnError
    imagePullPolicy: IfNotPresent
    securityContext:
      capabilities:
        add: [NET_BIND_SERVICE]
        drop: [ALL]
      privileged: false
      runAsUser: 101
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      seccompProfile:
        type: Localhost
        localhostProfile: profiles/web.json
    stdin: true
    stdinOnce: true
    tty: true
  - name: sidecar
    image: busybox:1.36
    command: [sh, -c, "exit 1"]
    livenessProbe:
      grpc:
        port: 9090
  - name: job
    image: busybox:1.36
    command: [sh, -c, "exit 137"]
)";

inline const int64_t kSecond = 1000000000LL;
inline const int64_t kMay1 = 1714564800LL * kSecond; /* 2024-05-01T12:00:00Z */

inline kl_pod_t *
DecodeOne (const char *data, size_t len)
{
  kl_pod_list_t list = { nullptr, 0 };
  kl_error_t err = nullptr;
  if (kl_pod_decode (data, len, "test", &list, &err) < 0)
    {
      ADD_FAILURE () << kl_error_message (err);
      kl_error_release (&err);
      return nullptr;
    }
  EXPECT_EQ (list.n_items, 1u);
  kl_pod_t *pod = list.items[0];
  list.items[0] = nullptr;
  kl_pod_list_clear (&list);
  return pod;
}

inline char *
S (const char *s)
{
  return strdup (s);
}

/* The status of kManifest's pod: the init container completed, app runs,
   sidecar is in CrashLoopBackOff and job was OOM-killed. */
inline kl_pod_status_t *
MakeStatus ()
{
  kl_pod_status_t *s = (kl_pod_status_t *) calloc (1, sizeof *s);
  s->phase = S ("Running");
  s->host_ip = S ("192.168.1.10");
  s->pod_ip = S ("10.88.0.5");
  s->start_time = kMay1 + 250000000; /* fractions are dropped */
  s->qos_class = S ("Burstable");
  const char *types[] = { "Initialized", "Ready", "ContainersReady", "PodScheduled" };
  s->n_conditions = 4;
  s->conditions = (kl_pod_condition_t *) calloc (4, sizeof *s->conditions);
  for (int i = 0; i < 4; i++)
    {
      s->conditions[i].type = S (types[i]);
      s->conditions[i].status = i == 0 || i == 3;
      s->conditions[i].last_transition_time = kMay1 + i * kSecond;
    }
  s->conditions[1].reason = S ("ContainersNotReady");
  s->conditions[1].message = S ("containers with unready status: [sidecar job]");

  s->n_init_container_statuses = 1;
  s->init_container_statuses = (kl_container_status_t *) calloc (1, sizeof (kl_container_status_t));
  kl_container_status_t *init = &s->init_container_statuses[0];
  init->name = S ("init");
  init->state.kind = KL_STATE_TERMINATED;
  init->state.reason = S ("Completed");
  init->state.started_at = kMay1;
  init->state.finished_at = kMay1 + kSecond;
  init->state.container_id = S ("containerd://0000");
  init->ready = true;
  init->image = S ("docker.io/library/busybox:1.36");
  init->image_id = S ("docker.io/library/busybox@sha256:aaaa");
  init->container_id = S ("containerd://0000");

  s->n_container_statuses = 3;
  s->container_statuses = (kl_container_status_t *) calloc (3, sizeof (kl_container_status_t));
  kl_container_status_t *app = &s->container_statuses[0];
  app->name = S ("app");
  app->state.kind = KL_STATE_RUNNING;
  app->state.started_at = kMay1 + 2 * kSecond;
  app->ready = true;
  app->image = S ("docker.io/library/nginx:1.25");
  app->image_id = S ("docker.io/library/nginx@sha256:bbbb");
  app->container_id = S ("containerd://1111");
  app->started = true;
  app->has_started = true;

  kl_container_status_t *sidecar = &s->container_statuses[1];
  sidecar->name = S ("sidecar");
  sidecar->state.kind = KL_STATE_WAITING;
  sidecar->state.reason = S ("CrashLoopBackOff");
  sidecar->state.message = S ("back-off 40s restarting failed container=sidecar pod=web_prod");
  sidecar->last_state.kind = KL_STATE_TERMINATED;
  sidecar->last_state.exit_code = 1;
  sidecar->last_state.reason = S ("Error");
  sidecar->last_state.started_at = kMay1 + 60 * kSecond;
  sidecar->last_state.finished_at = kMay1 + 61 * kSecond;
  sidecar->last_state.container_id = S ("containerd://2222");
  sidecar->restart_count = 3;
  sidecar->image = S ("docker.io/library/busybox:1.36");
  sidecar->image_id = S ("docker.io/library/busybox@sha256:aaaa");
  sidecar->container_id = S ("containerd://2222");
  sidecar->has_started = true;

  kl_container_status_t *job = &s->container_statuses[2];
  job->name = S ("job");
  job->state.kind = KL_STATE_TERMINATED;
  job->state.exit_code = 137;
  job->state.signal = 9;
  job->state.reason = S ("OOMKilled");
  job->state.message = S ("out of memory");
  job->state.started_at = kMay1 + 3 * kSecond;
  job->state.finished_at = kMay1 + 4 * kSecond;
  job->state.container_id = S ("containerd://3333");
  job->image = S ("docker.io/library/busybox:1.36");
  job->image_id = S ("docker.io/library/busybox@sha256:aaaa");
  job->container_id = S ("containerd://3333");
  return s;
}

} // namespace kl_server_testing

#endif
