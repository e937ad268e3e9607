{{/*
NetworkPolicies: each Parley pod gets one policy with both directions, least privilege (see
docs/decisions, "network policy matrix"). Component names are values keys (auth, user,
chatSocket, persistenceWorker, web, operator); a disabled component drops out of every list.

parley.component.networkPolicy takes (dict "ctx" $ "key" ... "name" ...) and:
  ingress
    .fromIngress      true: the ingress controller's pods, to the `http` port
    .fromComponents   keys of components allowed to the `http` port
    .metricsReaders   keys of components allowed to the `metrics` admin port
    .fromSmokeTest    true: the release's `helm test` pod, to the `http` port
  The monitoring namespace always reaches `metrics` (or `http` without an admin port).
  egress (always: DNS, and the OTLP collector when tracing is on; plus networkPolicy.extraEgress)
    .toComponents     keys of components called on their `http` port
    .toMetrics        keys of components read on their `metrics` port
    .postgresql .redis .smtp .kubeApiServer .objectStorage   true: that destination
    .postgresqlReadReplica   true: the read replica of history, when externalDatabase.readReplica is set
*/}}

{{/* Keys of enabled components, from a list of keys. */}}
{{- define "parley.networkPolicy.enabledKeys" -}}
{{- $ctx := .ctx -}}
{{- $keys := list -}}
{{- range .keys -}}
{{- $values := index $ctx.Values . -}}
{{- if or (not (hasKey $values "enabled")) $values.enabled -}}
{{- $keys = append $keys . -}}
{{- end -}}
{{- end -}}
{{- toJson $keys -}}
{{- end -}}

{{/* The port of an inline data-store URL when it names one, else .default (the URL may sit in a Secret the chart cannot read). */}}
{{- define "parley.networkPolicy.urlPort" -}}
{{- $port := "" -}}
{{- if .url -}}
{{- $port = regexFind ":[0-9]+$" (urlParse .url).host | trimPrefix ":" -}}
{{- end -}}
{{- $port | default .default -}}
{{- end -}}

{{/* A peer selecting one component's pods of this release. */}}
{{- define "parley.networkPolicy.componentPeer" -}}
- podSelector:
    matchLabels:
      {{- include "parley.selectorLabels" (dict "ctx" .ctx "name" .name) | nindent 6 }}
{{- end -}}

{{/* An egress rule to `.to` (NetworkPolicyPeers; empty: any destination) on TCP `.ports`. */}}
{{- define "parley.networkPolicy.externalRule" -}}
- {{- with .to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports:
    {{- range .ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end -}}

{{/* Egress rules of a pod; takes (dict "ctx" $ ...the egress switches above). */}}
{{- define "parley.networkPolicy.egressRules" -}}
{{- $ctx := .ctx -}}
{{- $np := $ctx.Values.networkPolicy -}}
{{- if or (not .noDns) (and .tracing $ctx.Values.tracing.otlpEndpoint) }}
- to:
    - namespaceSelector:
        matchLabels:
          {{- toYaml $np.dnsNamespaceSelector | nindent 10 }}
      podSelector:
        matchLabels:
          {{- toYaml $np.dnsPodSelector | nindent 10 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}
{{- if .postgresql }}
{{- if $ctx.Values.evaluation.enabled }}
- to:
    {{- include "parley.networkPolicy.componentPeer" (dict "ctx" $ctx "name" "postgresql") | nindent 4 }}
  ports:
    - port: 5432
      protocol: TCP
{{- else }}
{{ include "parley.networkPolicy.externalRule" (dict "to" $np.externalDatabase.to "ports" (list (include "parley.networkPolicy.urlPort" (dict "url" $ctx.Values.externalDatabase.url "default" $np.externalDatabase.port) | int))) }}
{{- end }}
{{- end }}
{{- if and .postgresqlReadReplica (not $ctx.Values.evaluation.enabled) (include "parley.databaseRead.enabled" $ctx) }}
{{- $replica := $np.externalDatabase.readReplica -}}
{{- $to := $replica.to | default $np.externalDatabase.to -}}
{{- $port := include "parley.networkPolicy.urlPort" (dict "url" $ctx.Values.externalDatabase.readReplica.url "default" ($replica.port | default $np.externalDatabase.port)) | int -}}
{{- $primaryPort := include "parley.networkPolicy.urlPort" (dict "url" $ctx.Values.externalDatabase.url "default" $np.externalDatabase.port) | int -}}
{{- /* Nothing to add when the primary's rule already covers the replica's peers and port. */}}
{{- if not (and .postgresql (eq (toJson $to) (toJson $np.externalDatabase.to)) (eq $port $primaryPort)) }}
{{ include "parley.networkPolicy.externalRule" (dict "to" $to "ports" (list $port)) }}
{{- end }}
{{- end }}
{{- if .redis }}
{{- if $ctx.Values.evaluation.enabled }}
- to:
    {{- include "parley.networkPolicy.componentPeer" (dict "ctx" $ctx "name" "redis") | nindent 4 }}
  ports:
    - port: 6379
      protocol: TCP
{{- else }}
{{ include "parley.networkPolicy.externalRule" (dict "to" $np.externalRedis.to "ports" (list (include "parley.networkPolicy.urlPort" (dict "url" $ctx.Values.externalRedis.url "default" $np.externalRedis.port) | int))) }}
{{- end }}
{{- end }}
{{- if and .smtp $ctx.Values.smtp.existingSecret }}
{{ include "parley.networkPolicy.externalRule" (dict "to" $np.smtp.to "ports" $np.smtp.ports) }}
{{- end }}
{{- if .kubeApiServer }}
{{ include "parley.networkPolicy.externalRule" (dict "to" $np.kubeApiServer.to "ports" $np.kubeApiServer.ports) }}
{{- end }}
{{- if and .objectStorage (eq $ctx.Values.chatSocket.attachments.storage "s3") }}
{{ include "parley.networkPolicy.externalRule" (dict "to" $np.objectStorage.to "ports" $np.objectStorage.ports) }}
{{- end }}
{{- range (include "parley.networkPolicy.enabledKeys" (dict "ctx" $ctx "keys" (.toComponents | default list)) | fromJsonArray) }}
- to:
    {{- include "parley.networkPolicy.componentPeer" (dict "ctx" $ctx "name" (kebabcase .)) | nindent 4 }}
  ports:
    - port: {{ (index $ctx.Values .).containerPort }}
      protocol: TCP
{{- end }}
{{- range (include "parley.networkPolicy.enabledKeys" (dict "ctx" $ctx "keys" (.toMetrics | default list)) | fromJsonArray) }}
- to:
    {{- include "parley.networkPolicy.componentPeer" (dict "ctx" $ctx "name" (kebabcase .)) | nindent 4 }}
  ports:
    - port: {{ (index $ctx.Values .).metricsPort }}
      protocol: TCP
{{- end }}
{{- if and .tracing $ctx.Values.tracing.otlpEndpoint }}
{{- $url := urlParse $ctx.Values.tracing.otlpEndpoint -}}
{{- $port := regexFind "[0-9]+$" $url.host | default (ternary "443" "80" (eq $url.scheme "https")) }}
{{ include "parley.networkPolicy.externalRule" (dict "to" $np.tracing.to "ports" (list (int $port))) }}
{{- end }}
{{- if .extra }}
{{- with $np.extraEgress }}
{{ toYaml . }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "parley.component.networkPolicy" -}}
{{- if .ctx.Values.networkPolicy.enabled }}
{{- $values := index .ctx.Values .key -}}
{{- $ctx := .ctx -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "parley.componentName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" . | nindent 4 }}
  {{- include "parley.annotations" (dict "ctx" .ctx) }}
spec:
  podSelector:
    matchLabels:
      {{- include "parley.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    {{- if .fromIngress }}
    - from:
        - namespaceSelector:
            matchLabels:
              {{- toYaml .ctx.Values.networkPolicy.ingressControllerNamespaceSelector | nindent 14 }}
          {{- with .ctx.Values.networkPolicy.ingressControllerPodSelector }}
          podSelector:
            matchLabels:
              {{- toYaml . | nindent 14 }}
          {{- end }}
      ports:
        - port: http
          protocol: TCP
    {{- end }}
    {{- $callers := include "parley.networkPolicy.enabledKeys" (dict "ctx" $ctx "keys" (.fromComponents | default list)) | fromJsonArray }}
    {{- if or $callers .fromSmokeTest }}
    - from:
        {{- range $callers }}
        {{- include "parley.networkPolicy.componentPeer" (dict "ctx" $ctx "name" (kebabcase .)) | nindent 8 }}
        {{- end }}
        {{- if .fromSmokeTest }}
        {{- include "parley.networkPolicy.componentPeer" (dict "ctx" $ctx "name" "smoke-test") | nindent 8 }}
        {{- end }}
      ports:
        - port: http
          protocol: TCP
    {{- end }}
    {{- $readers := include "parley.networkPolicy.enabledKeys" (dict "ctx" $ctx "keys" (.metricsReaders | default list)) | fromJsonArray }}
    {{- if and $readers $values.metricsPort }}
    - from:
        {{- range $readers }}
        {{- include "parley.networkPolicy.componentPeer" (dict "ctx" $ctx "name" (kebabcase .)) | nindent 8 }}
        {{- end }}
      ports:
        - port: metrics
          protocol: TCP
    {{- end }}
    - from:
        - namespaceSelector:
            matchLabels:
              {{- toYaml .ctx.Values.networkPolicy.monitoringNamespaceSelector | nindent 14 }}
      ports:
        {{- /* With an admin port, Prometheus reaches only that port; otherwise metrics share the HTTP port. */}}
        - port: {{ if $values.metricsPort }}metrics{{ else }}http{{ end }}
          protocol: TCP
  {{- $egress := include "parley.networkPolicy.egressRules" (merge (dict "tracing" true "extra" true) .egress (dict "ctx" .ctx)) | trim }}
  {{- if $egress }}
  egress:
    {{- $egress | nindent 4 }}
  {{- else }}
  egress: []
  {{- end }}
{{- end }}
{{- end -}}

{{/*
A NetworkPolicy for hook pods (migration Jobs, key-bootstrap, the helm test pod): no ingress,
the given egress. Rendered as a hook of the same phase with a lower weight, so it exists before
the pods it restricts (a release's ordinary objects are created only after pre-install hooks).
Takes (dict "ctx" $ "name" <policy name suffix> "components" <component labels it selects>
"hook" <phases> "weight" <weight> "egress" <switches dict>).
*/}}
{{- define "parley.networkPolicy.forHookPods" -}}
{{- if .ctx.Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "parley.componentName" (dict "ctx" .ctx "name" .name) }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" (dict "ctx" .ctx "name" .name) | nindent 4 }}
  annotations:
    helm.sh/hook: {{ .hook }}
    helm.sh/hook-weight: {{ .weight | quote }}
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
    {{- with .ctx.Values.commonAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/instance: {{ .ctx.Release.Name }}
      app.kubernetes.io/part-of: parley
    matchExpressions:
      - key: app.kubernetes.io/component
        operator: In
        values:
          {{- toYaml .components | nindent 10 }}
  policyTypes:
    - Ingress
    - Egress
  ingress: []
  egress:
    {{- include "parley.networkPolicy.egressRules" (merge (dict) .egress (dict "ctx" .ctx)) | trim | nindent 4 }}
{{- end }}
{{- end -}}
