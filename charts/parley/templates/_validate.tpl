{{/* Every check fails with "parley: <what is wrong>. <what to do>." */}}
{{- define "parley.validateValues" -}}
{{- $v := .Values -}}
{{- if not $v.evaluation.enabled }}
  {{- if not (or $v.externalDatabase.url $v.externalDatabase.existingSecret) }}
    {{- fail "parley: evaluation.enabled=false needs a PostgreSQL database. Set externalDatabase.existingSecret (a Secret with key externalDatabase.urlKey holding postgres://...) or externalDatabase.url." }}
  {{- end }}
  {{- if not (or $v.externalRedis.url $v.externalRedis.existingSecret $v.externalRedis.cluster.nodes) }}
    {{- fail "parley: evaluation.enabled=false needs Redis. Set externalRedis.existingSecret (a Secret with key externalRedis.urlKey holding redis://...), externalRedis.url or, for a Redis Cluster, externalRedis.cluster.nodes." }}
  {{- end }}
{{- else }}
  {{- if or $v.externalDatabase.url $v.externalDatabase.existingSecret $v.externalRedis.url $v.externalRedis.existingSecret }}
    {{- fail "parley: externalDatabase/externalRedis are set while evaluation.enabled=true (which runs its own PostgreSQL and Redis). Set evaluation.enabled=false to use external data stores." }}
  {{- end }}
  {{- if or $v.externalDatabase.readReplica.url $v.externalDatabase.readReplica.existingSecret }}
    {{- fail "parley: externalDatabase.readReplica is set while evaluation.enabled=true, whose single PostgreSQL has no replica. Set evaluation.enabled=false and externalDatabase to the replica's primary, or leave externalDatabase.readReplica empty." }}
  {{- end }}
{{- end }}
{{- if and $v.externalDatabase.url $v.externalDatabase.existingSecret }}
  {{- fail "parley: set either externalDatabase.url or externalDatabase.existingSecret, not both." }}
{{- end }}
{{- if and $v.externalDatabase.readReplica.url $v.externalDatabase.readReplica.existingSecret }}
  {{- fail "parley: set either externalDatabase.readReplica.url or externalDatabase.readReplica.existingSecret, not both." }}
{{- end }}
{{- if and $v.externalRedis.url $v.externalRedis.existingSecret }}
  {{- fail "parley: set either externalRedis.url or externalRedis.existingSecret, not both." }}
{{- end }}
{{- $redisCluster := $v.externalRedis.cluster }}
{{- if and $redisCluster.nodes (or $v.externalRedis.url $v.externalRedis.existingSecret) }}
  {{- fail "parley: set either externalRedis.cluster.nodes or externalRedis.url/existingSecret, not both." }}
{{- end }}
{{- if and $redisCluster.nodes (not $redisCluster.enabled) }}
  {{- fail "parley: externalRedis.cluster.nodes is set but externalRedis.cluster.enabled=false. Set externalRedis.cluster.enabled=true." }}
{{- end }}
{{- range $redisCluster.nodes }}
  {{- if not (regexMatch "^[A-Za-z0-9.-]+:[0-9]{1,5}$" (toString .)) }}
    {{- fail (printf "parley: externalRedis.cluster.nodes entry %q is not host:port." (toString .)) }}
  {{- end }}
{{- end }}
{{- if $redisCluster.enabled }}
  {{- if $v.evaluation.enabled }}
    {{- fail "parley: externalRedis.cluster.enabled=true with evaluation.enabled=true (which runs one Redis of its own). Set evaluation.enabled=false." }}
  {{- end }}
  {{- if not (regexMatch "\\{[^{}]+\\}" $v.config.redisKeyPrefix) }}
    {{- fail "parley: externalRedis.cluster.enabled=true needs config.redisKeyPrefix with a hash tag, e.g. {parley}:, so that every key of the install is in one slot (scripts and BullMQ need their keys together)." }}
  {{- end }}
  {{- if and $v.externalRedis.url (not (regexMatch "^rediss?\\+cluster://" $v.externalRedis.url)) }}
    {{- fail "parley: externalRedis.cluster.enabled=true needs externalRedis.url to be redis+cluster:// or rediss+cluster://host:port,host:port." }}
  {{- end }}
  {{- if and $v.persistenceWorker.keda.enabled (not $v.persistenceWorker.keda.redisClusterAddresses) }}
    {{- fail "parley: persistenceWorker.keda.enabled with externalRedis.cluster.enabled=true needs persistenceWorker.keda.redisClusterAddresses: comma-separated host:port seed nodes of the cluster that the KEDA operator can reach (e.g. redis-0.redis.databases.svc:6379,redis-1.redis.databases.svc:6379) and, if the cluster has a password, persistenceWorker.keda.redisPasswordSecret." }}
  {{- end }}
  {{- if and $v.persistenceWorker.keda.enabled $v.persistenceWorker.keda.redisAddress }}
    {{- fail "parley: persistenceWorker.keda.redisAddress names one Redis, but externalRedis.cluster.enabled=true: KEDA reads a cluster from persistenceWorker.keda.redisClusterAddresses. Leave redisAddress empty." }}
  {{- end }}
{{- else if and $v.externalRedis.url (regexMatch "^rediss?\\+cluster://" $v.externalRedis.url) }}
  {{- fail "parley: externalRedis.url names a Redis Cluster; set externalRedis.cluster.enabled=true (and a config.redisKeyPrefix with a hash tag, e.g. {parley}:)." }}
{{- else if and $v.persistenceWorker.keda.enabled $v.persistenceWorker.keda.redisClusterAddresses }}
  {{- fail "parley: persistenceWorker.keda.redisClusterAddresses is set but externalRedis.cluster.enabled=false. For one Redis set persistenceWorker.keda.redisAddress instead, or set externalRedis.cluster.enabled=true." }}
{{- end }}
{{- if and $v.operator.enabled (lt (int $v.operator.replicaCount) 1) }}
  {{- fail "parley: operator.enabled=true with operator.replicaCount=0: nothing would create the signing keys the auth pods mount. Set operator.replicaCount to 1 or more, or operator.enabled=false." }}
{{- end }}
{{- if and $v.ingress.enabled $v.ingress.tls.enabled (not $v.ingress.tls.secretName) }}
  {{- fail "parley: ingress.tls.enabled=true needs ingress.tls.secretName (the TLS Secret, or the one cert-manager should create)." }}
{{- end }}
{{- if and $v.persistenceWorker.keda.enabled $v.persistenceWorker.autoscaling.enabled }}
  {{- fail "parley: persistenceWorker.keda.enabled and persistenceWorker.autoscaling.enabled would both create a HorizontalPodAutoscaler for the worker. Set persistenceWorker.autoscaling.enabled=false when using KEDA." }}
{{- end }}
{{- if and $v.persistenceWorker.keda.enabled (not $v.evaluation.enabled) (not $redisCluster.enabled) (not $v.persistenceWorker.keda.redisAddress) }}
  {{- fail "parley: persistenceWorker.keda.enabled with external Redis needs persistenceWorker.keda.redisAddress (host:port) and, if Redis has a password, persistenceWorker.keda.redisPasswordSecret." }}
{{- end }}
{{- if and $v.chatSocket.autoscaling.sockets.enabled (not $v.chatSocket.autoscaling.enabled) }}
  {{- fail "parley: chatSocket.autoscaling.sockets.enabled needs chatSocket.autoscaling.enabled=true (the sockets metric is part of the chat-socket HorizontalPodAutoscaler)." }}
{{- end }}
{{- if not (has $v.config.messageShardKeys (list "install" "shard")) }}
  {{- fail (printf "parley: config.messageShardKeys is %q; it must be `install` (every message shard under config.redisKeyPrefix) or `shard` (a hash tag per message shard, for a Redis Cluster)." (toString $v.config.messageShardKeys)) }}
{{- end }}
{{- $attachments := $v.chatSocket.attachments }}
{{- if and (eq $attachments.storage "s3") (not $attachments.s3.bucket) }}
  {{- fail "parley: chatSocket.attachments.storage=s3 needs chatSocket.attachments.s3.bucket." }}
{{- end }}
{{- if not (has $attachments.storage (list "local" "s3")) }}
  {{- fail "parley: chatSocket.attachments.storage must be `local` or `s3`." }}
{{- end }}
{{- range $key := list "auth" "user" "chatSocket" "persistenceWorker" "web" }}
  {{- $c := index $v $key }}
  {{- if and $c.autoscaling.enabled (gt (int $c.autoscaling.minReplicas) (int $c.autoscaling.maxReplicas)) }}
    {{- fail (printf "parley: %s.autoscaling.minReplicas (%v) is above %s.autoscaling.maxReplicas (%v)." $key $c.autoscaling.minReplicas $key $c.autoscaling.maxReplicas) }}
  {{- end }}
  {{- $needMs := add (mul (int ($c.preStopSleepSeconds | default 0)) 1000) (int $v.config.shutdownTimeoutMs) 2000 }}
  {{- if lt (mul (int $c.terminationGracePeriodSeconds) 1000) $needMs }}
    {{- fail (printf "parley: %s.terminationGracePeriodSeconds (%v s) is shorter than its preStop sleep plus config.shutdownTimeoutMs plus 2 s (%v ms): pods would be killed mid-drain. Raise it or lower config.shutdownTimeoutMs." $key $c.terminationGracePeriodSeconds $needMs) }}
  {{- end }}
{{- end }}
{{- end -}}
