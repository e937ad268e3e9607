{{/*
Helpers of the Parley chart. Component helpers take a dict:
  ctx  the root context ($)
  key  the component's values key (auth, user, chatSocket, persistenceWorker, web)
  name the component's resource suffix and app.kubernetes.io/component (auth, user, chat-socket, ...)
*/}}

{{- define "parley.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<chart>, or the release name alone when it already contains the chart name. */}}
{{- define "parley.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "parley.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of a component's resources: <fullname>-<component>. Takes (dict "ctx" $ "name" "auth"). */}}
{{- define "parley.componentName" -}}
{{- printf "%s-%s" (include "parley.fullname" .ctx | trunc 45 | trimSuffix "-") .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every resource; with .name also app.kubernetes.io/component. */}}
{{- define "parley.labels" -}}
helm.sh/chart: {{ include "parley.chart" .ctx }}
app.kubernetes.io/name: {{ include "parley.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: parley
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- if .name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of a component (immutable in Deployments: never add to these). */}}
{{- define "parley.selectorLabels" -}}
app.kubernetes.io/name: {{ include "parley.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/*
metadata.annotations from commonAnnotations plus .extra (a dict), indented by .indent (default 2),
with its own leading newline; nothing at all when there are none.
*/}}
{{- define "parley.annotations" -}}
{{- $all := merge (dict) (.extra | default dict) (.ctx.Values.commonAnnotations | default dict) -}}
{{- if $all }}
{{ printf "annotations:\n%s" (toYaml $all | indent 2) | indent (.indent | default 2) }}
{{- end }}
{{- end -}}

{{/*
Image reference: [registry/]repository(:tag|@digest). Takes (dict "image" .Values.x.image "ctx" $).
global.imageRegistry wins over image.registry; an empty tag falls back to global.imageTag, then appVersion.
*/}}
{{- define "parley.image" -}}
{{- $registry := .ctx.Values.global.imageRegistry | default .image.registry -}}
{{- $repository := .image.repository -}}
{{- $ref := ternary (printf "%s/%s" $registry $repository) $repository (ne $registry "") -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $ref .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (.image.tag | default .ctx.Values.global.imageTag | default .ctx.Chart.AppVersion | toString) -}}
{{- end -}}
{{- end -}}

{{/* Image of a third-party image value (evaluation stores): registry/repository:tag or @digest. */}}
{{- define "parley.externalImage" -}}
{{- $ref := ternary (printf "%s/%s" .registry .repository) .repository (ne .registry "") -}}
{{- if .digest -}}
{{- printf "%s@%s" $ref .digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (.tag | toString) -}}
{{- end -}}
{{- end -}}

{{- define "parley.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* ServiceAccount name of a component. */}}
{{- define "parley.serviceAccountName" -}}
{{- $values := index .ctx.Values .key -}}
{{- if $values.serviceAccount.create -}}
{{- $values.serviceAccount.name | default (include "parley.componentName" .) -}}
{{- else -}}
{{- $values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/*
Pod Security Standards "restricted": non-root numeric uid, RuntimeDefault seccomp; containers
drop every capability, never escalate, and run on a read-only root filesystem.
*/}}
{{- define "parley.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid | default 10001 }}
runAsGroup: {{ .uid | default 10001 }}
fsGroup: {{ .uid | default 10001 }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Takes a dict; "writable" true only for the services under devLoop.liveUpdate. */}}
{{- define "parley.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ not .writable }}
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Liveness on /healthz (no dependency checks), readiness on /readyz (dependencies, draining). */}}
{{- define "parley.httpProbes" -}}
startupProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}

{{/* Scheduling: nodeSelector, tolerations, affinity, priority and topology spread (default: zones and nodes, best effort). */}}
{{- define "parley.scheduling" -}}
{{- $values := index .ctx.Values .key -}}
{{- with $values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
topologySpreadConstraints:
{{- if $values.topologySpreadConstraints }}
  {{- toYaml $values.topologySpreadConstraints | nindent 2 }}
{{- else }}
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "parley.selectorLabels" . | nindent 8 }}
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "parley.selectorLabels" . | nindent 8 }}
{{- end }}
{{- end -}}

{{/* The public origin: config.publicUrl, else http(s)://<ingress.host>. */}}
{{- define "parley.publicUrl" -}}
{{- if .Values.config.publicUrl -}}
{{- .Values.config.publicUrl | trimSuffix "/" -}}
{{- else if .Values.ingress.host -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host -}}
{{- else -}}
http://localhost
{{- end -}}
{{- end -}}

{{- define "parley.corsOrigins" -}}
{{- $origins := prepend (.Values.config.corsOrigins | default list) (include "parley.publicUrl" .) -}}
{{- join "," (uniq $origins) -}}
{{- end -}}

{{/* Internal base URL of a component's Service. Takes (dict "ctx" $ "key" "user" "name" "user"). */}}
{{- define "parley.serviceUrl" -}}
{{- $values := index .ctx.Values .key -}}
{{- printf "http://%s:%v" (include "parley.componentName" .) $values.service.port -}}
{{- end -}}

{{- define "parley.jwksUrl" -}}
{{- printf "%s/.well-known/jwks.json" (include "parley.serviceUrl" (dict "ctx" . "key" "auth" "name" "auth")) -}}
{{- end -}}

{{/*
The Redis key prefix of `messages` queue shard `shard` with config.messageShardKeys, the rule of
messageShardKeyPrefix in packages/keyspace/src/message-keys.ts: shard 0, and every shard with
`install`, keeps config.redisKeyPrefix; otherwise a non-empty hash tag gets `:m<shard>` appended
inside it (`{parley}:` → `{parley:m3}:`), and a prefix without one gets `m<shard>:` appended
(`parley:` → `parley:m3:`). Takes (dict "ctx" $ "shard" <int>).
*/}}
{{- define "parley.messageShardKeyPrefix" -}}
{{- $prefix := .ctx.Values.config.redisKeyPrefix -}}
{{- $shard := int .shard -}}
{{- if or (eq .ctx.Values.config.messageShardKeys "install") (eq $shard 0) -}}
{{- $prefix -}}
{{- else if regexMatch "^[^{]*\\{[^}]+\\}" $prefix -}}
{{- regexReplaceAll "^([^{]*\\{[^}]+)(\\}(?s:.*))$" $prefix (printf "${1}:m%d${2}" $shard) -}}
{{- else -}}
{{- printf "%sm%d:" $prefix $shard -}}
{{- end -}}
{{- end -}}

{{/* The BullMQ wait list of `messages` queue shard `shard` (`messages`, `messages-1`, …). Takes (dict "ctx" $ "shard" <int>). */}}
{{- define "parley.messageShardWaitList" -}}
{{- $shard := int .shard -}}
{{- printf "%sbull:%s:wait" (include "parley.messageShardKeyPrefix" .) (ternary "messages" (printf "messages-%d" $shard) (eq $shard 0)) -}}
{{- end -}}

{{/* ---- Secrets ---- */}}

{{/* Secret the chart generates for data-store URLs (evaluation mode, or URLs given inline). */}}
{{- define "parley.datastoresSecretName" -}}
{{- printf "%s-datastores" (include "parley.fullname" .) -}}
{{- end -}}

{{- define "parley.database.secretName" -}}
{{- .Values.externalDatabase.existingSecret | default (include "parley.datastoresSecretName" .) -}}
{{- end -}}

{{- define "parley.database.secretKey" -}}
{{- ternary .Values.externalDatabase.urlKey "database-url" (ne .Values.externalDatabase.existingSecret "") -}}
{{- end -}}

{{/* The read replica of history (chat-socket's DATABASE_READ_URL): "true" when one is configured. */}}
{{- define "parley.databaseRead.enabled" -}}
{{- with .Values.externalDatabase.readReplica -}}
{{- if or .url .existingSecret }}true{{ end -}}
{{- end -}}
{{- end -}}

{{- define "parley.databaseRead.secretName" -}}
{{- .Values.externalDatabase.readReplica.existingSecret | default (include "parley.datastoresSecretName" .) -}}
{{- end -}}

{{- define "parley.databaseRead.secretKey" -}}
{{- ternary .Values.externalDatabase.readReplica.urlKey "database-read-url" (ne .Values.externalDatabase.readReplica.existingSecret "") -}}
{{- end -}}

{{- define "parley.redis.secretName" -}}
{{- .Values.externalRedis.existingSecret | default (include "parley.datastoresSecretName" .) -}}
{{- end -}}

{{- define "parley.redis.secretKey" -}}
{{- ternary .Values.externalRedis.urlKey "redis-url" (ne .Values.externalRedis.existingSecret "") -}}
{{- end -}}

{{- define "parley.internalApi.secretName" -}}
{{- .Values.internalApi.existingSecret | default (printf "%s-internal-api" (include "parley.fullname" .)) -}}
{{- end -}}

{{- define "parley.attachmentUrl.secretName" -}}
{{- .Values.chatSocket.attachments.urlSecret.existingSecret | default (printf "%s-attachment-urls" (include "parley.fullname" .)) -}}
{{- end -}}

{{- define "parley.signingKeys.secretName" -}}
{{- .Values.auth.signingKeys.existingSecret | default (printf "%s-signing-keys" (include "parley.fullname" .)) -}}
{{- end -}}

{{/* Hook Secret holding DATABASE_URL for the migration Jobs when the URL is given inline (production). */}}
{{- define "parley.migrations.secretName" -}}
{{- printf "%s-migrations" (include "parley.fullname" .) -}}
{{- end -}}

{{/*
Inputs of every Secret the pods read, hashed into a pod annotation so a change rolls the pods.
Generated values (passwords, tokens) are kept across upgrades, so they are left out on purpose.
*/}}
{{- define "parley.secretsFingerprint" -}}
{{- toJson (dict "externalDatabase" .Values.externalDatabase "externalRedis" .Values.externalRedis "smtp" .Values.smtp "internalApi" .Values.internalApi "evaluation" .Values.evaluation.enabled "attachmentSecrets" (dict "url" .Values.chatSocket.attachments.urlSecret "s3" .Values.chatSocket.attachments.s3.existingSecret)) -}}
{{- end -}}

{{/* DATABASE_URL, REDIS_URL (and optionally INTERNAL_API_TOKEN, SMTP_URL) from their Secrets. */}}
{{- define "parley.env.datastores" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "parley.database.secretName" . }}
      key: {{ include "parley.database.secretKey" . }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "parley.redis.secretName" . }}
      key: {{ include "parley.redis.secretKey" . }}
{{- end -}}

{{/* DATABASE_READ_URL from its Secret, when a read replica is configured (chat-socket only). */}}
{{- define "parley.env.databaseRead" -}}
{{- if include "parley.databaseRead.enabled" . }}
- name: DATABASE_READ_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "parley.databaseRead.secretName" . }}
      key: {{ include "parley.databaseRead.secretKey" . }}
{{- end }}
{{- end -}}

{{- define "parley.env.internalToken" -}}
- name: INTERNAL_API_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "parley.internalApi.secretName" . }}
      key: {{ .Values.internalApi.internalTokenKey }}
{{- end -}}

{{- define "parley.env.smtp" -}}
{{- if .Values.smtp.existingSecret }}
- name: SMTP_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.smtp.existingSecret }}
      key: {{ .Values.smtp.urlKey }}
{{- end }}
{{- end -}}

{{/* ConfigMap data every service shares. Takes (dict "ctx" $ "key" ... "name" ...). */}}
{{- define "parley.config.common" -}}
{{- $values := index .ctx.Values .key -}}
NODE_ENV: production
HOST: "0.0.0.0"
PORT: {{ $values.containerPort | quote }}
{{- with $values.metricsPort }}
METRICS_PORT: {{ . | quote }}
{{- end }}
LOG_LEVEL: {{ .ctx.Values.config.logLevel | quote }}
SHUTDOWN_TIMEOUT_MS: {{ .ctx.Values.config.shutdownTimeoutMs | quote }}
{{- with .ctx.Values.tracing.otlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- end -}}

{{- define "parley.config.datastores" -}}
DATABASE_POOL_SIZE: {{ .Values.config.databasePoolSize | quote }}
REDIS_KEY_PREFIX: {{ .Values.config.redisKeyPrefix | quote }}
{{- end -}}

{{- define "parley.config.tokens" -}}
JWT_ISSUER: {{ .Values.config.jwtIssuer | quote }}
JWT_AUDIENCE: {{ .Values.config.jwtAudience | quote }}
CORS_ORIGINS: {{ include "parley.corsOrigins" . | quote }}
{{- end -}}

{{/*
A component's ConfigMap data: the given YAML fragments merged, then its `env` map on top (so
an operator can override any chart-set variable). Takes (dict "ctx" $ "key" ... "fragments" (list ...)).
*/}}
{{- define "parley.config.data" -}}
{{- $values := index .ctx.Values .key -}}
{{- $data := dict -}}
{{- range .fragments }}
{{- $data = merge $data (fromYaml .) -}}
{{- end }}
{{- $data = merge (deepCopy ($values.env | default dict)) $data -}}
{{- $strings := dict -}}
{{- range $name, $value := $data }}
{{- $_ := set $strings $name (toString $value) -}}
{{- end }}
{{- toYaml $strings -}}
{{- end -}}

{{/* Hook annotations of the migration Jobs: before the release's pods, except in evaluation mode. */}}
{{- define "parley.migrations.hook" -}}
{{- if .Values.evaluation.enabled -}}
post-install,pre-upgrade
{{- else -}}
pre-install,pre-upgrade
{{- end -}}
{{- end -}}

{{/* ---- Operator ---- */}}

{{/* The Lease the operator replicas compete for (in the release namespace). */}}
{{- define "parley.operator.leaseName" -}}
{{- include "parley.componentName" (dict "ctx" . "name" "operator") -}}
{{- end -}}

{{/* Name of cluster-scoped RBAC objects: namespace-qualified, since two releases may share a name. */}}
{{- define "parley.operator.clusterRoleName" -}}
{{- printf "%s-%s" .Release.Namespace (include "parley.componentName" (dict "ctx" . "name" "operator")) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
What the operator may do with the objects of a ChatPlatform. Namespaced (a Role) unless
operator.clusterScoped. Informers need list/watch; RBAC cannot limit those by label, so the
operator can read the Secrets of the namespaces it watches (the release namespace by default).
*/}}
{{- define "parley.operator.platformRules" -}}
- apiGroups: ["parley.dev"]
  resources: ["chatplatforms"]
  # patch: removing the parley.dev/rotate-now annotation once handled.
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["parley.dev"]
  resources: ["chatplatforms/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["parley.dev"]
  # Owner references with blockOwnerDeletion on the Secrets it creates.
  resources: ["chatplatforms/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["secrets"]
  # create cannot be limited by resourceNames; update rotates the signing keys.
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch"]
{{- end -}}

{{- define "parley.operator.leaseRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: [{{ include "parley.operator.leaseName" . | quote }}]
  verbs: ["get", "update"]
{{- end -}}
