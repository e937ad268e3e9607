{{/*
Objects every Parley component has in the same shape. Each component's own template file
(templates/<component>/<kind>.yaml) includes one of these with
  (dict "ctx" $ "key" "<values key>" "name" "<component>").
*/}}

{{- define "parley.component.service" -}}
{{- $values := index .ctx.Values .key -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "parley.componentName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" . | nindent 4 }}
  {{- include "parley.annotations" (dict "ctx" .ctx "extra" $values.service.annotations) }}
spec:
  type: {{ $values.service.type }}
  selector:
    {{- include "parley.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $values.service.port }}
      targetPort: http
      protocol: TCP
    {{- with $values.metricsPort }}
    {{- /* The admin port (/metrics, /healthz, /readyz): scraped by the ServiceMonitor, never routed. */}}
    - name: metrics
      port: {{ . }}
      targetPort: metrics
      protocol: TCP
    {{- end }}
{{- end -}}

{{- define "parley.component.serviceAccount" -}}
{{- $values := index .ctx.Values .key -}}
{{- if $values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "parley.serviceAccountName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" . | nindent 4 }}
  {{- include "parley.annotations" (dict "ctx" .ctx "extra" $values.serviceAccount.annotations) }}
# The services never call the Kubernetes API.
automountServiceAccountToken: false
{{- end }}
{{- end -}}

{{- define "parley.component.pdb" -}}
{{- $values := index .ctx.Values .key -}}
{{- if $values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "parley.componentName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" . | nindent 4 }}
  {{- include "parley.annotations" (dict "ctx" .ctx) }}
spec:
  maxUnavailable: {{ $values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "parley.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* CPU HorizontalPodAutoscaler; .extraMetrics (YAML list) and .behavior (YAML) are optional. */}}
{{- define "parley.component.hpa" -}}
{{- $values := index .ctx.Values .key -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "parley.componentName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" . | nindent 4 }}
  {{- include "parley.annotations" (dict "ctx" .ctx) }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "parley.componentName" . }}
  minReplicas: {{ $values.autoscaling.minReplicas }}
  maxReplicas: {{ $values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $values.autoscaling.targetCPUUtilizationPercentage }}
    {{- with .extraMetrics }}
    {{- . | nindent 4 }}
    {{- end }}
  {{- with .behavior }}
  behavior:
    {{- . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "parley.component.serviceMonitor" -}}
{{- if .ctx.Values.metrics.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "parley.componentName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" . | nindent 4 }}
    {{- with .ctx.Values.metrics.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- include "parley.annotations" (dict "ctx" .ctx) }}
spec:
  jobLabel: app.kubernetes.io/component
  namespaceSelector:
    matchNames:
      - {{ .ctx.Release.Namespace }}
  selector:
    matchLabels:
      {{- include "parley.selectorLabels" . | nindent 6 }}
  endpoints:
    {{- /* Services with an admin port serve /metrics there only (METRICS_PORT). */}}
    - port: {{ if (index .ctx.Values .key).metricsPort }}metrics{{ else }}http{{ end }}
      path: /metrics
      interval: {{ .ctx.Values.metrics.serviceMonitor.interval }}
      scrapeTimeout: {{ .ctx.Values.metrics.serviceMonitor.scrapeTimeout }}
      {{- /* Keep the series' own `service` label (auth, chat-socket, …), which dashboards and rules use, over the target's Kubernetes Service name. */}}
      honorLabels: true
{{- end }}
{{- end -}}

{{/*
The Deployment skeleton every service shares. Extra pieces come in as YAML strings:
  .env          container env entries (list items)
  .volumes      extra pod volumes (list items)
  .mounts       extra container volumeMounts (list items)
  .lifecycle    container lifecycle (mapping)
and two switches, both off by default:
  .noLiveUpdate true: the image is always rebuilt whole (never live-updated), so its root
                filesystem stays read-only even under devLoop.liveUpdate
  .noDataDir    true: no /var/lib/parley emptyDir (the component writes nothing but /tmp)
  .tmpSizeLimit sizeLimit of the /tmp emptyDir (default 64Mi)
*/}}
{{- define "parley.component.deployment" -}}
{{- $values := index .ctx.Values .key -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "parley.componentName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" . | nindent 4 }}
  {{- include "parley.annotations" (dict "ctx" .ctx) }}
spec:
  {{- /* Left to the HPA (or KEDA's) when autoscaling, so an upgrade never resets the scale. */}}
  {{- if not (or $values.autoscaling.enabled (and (hasKey $values "keda") $values.keda.enabled)) }}
  replicas: {{ $values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "parley.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "parley.labels" . | nindent 8 }}
        {{- with $values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ .configChecksum }}
        {{- /* Only pods that read a Secret roll when the Secrets' inputs change. */}}
        {{- if or .env .volumes }}
        checksum/secrets: {{ include "parley.secretsFingerprint" .ctx | sha256sum }}
        {{- end }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "parley.serviceAccountName" . }}
      automountServiceAccountToken: false
      {{- with include "parley.imagePullSecrets" .ctx | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      securityContext:
        {{- include "parley.podSecurityContext" (dict) | nindent 8 }}
      terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
      {{- include "parley.scheduling" . | trim | nindent 6 }}
      containers:
        - name: {{ .name }}
          image: {{ include "parley.image" (dict "image" $values.image "ctx" .ctx) }}
          imagePullPolicy: {{ $values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $values.containerPort }}
              protocol: TCP
            {{- with $values.metricsPort }}
            - name: metrics
              containerPort: {{ . }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "parley.componentName" . }}
          {{- with .env }}
          env:
            {{- . | nindent 12 }}
          {{- end }}
          {{- include "parley.httpProbes" . | nindent 10 }}
          {{- with .lifecycle }}
          lifecycle:
            {{- . | nindent 12 }}
          {{- end }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- include "parley.containerSecurityContext" (dict "writable" (and .ctx.Values.devLoop.liveUpdate (not .noLiveUpdate))) | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if not .noDataDir }}
            - name: data
              mountPath: /var/lib/parley
            {{- end }}
            {{- with .mounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ .tmpSizeLimit | default "64Mi" }}
        {{- if not .noDataDir }}
        - name: data
          emptyDir:
            sizeLimit: 256Mi
        {{- end }}
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
{{- end -}}

{{- define "parley.component.configMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "parley.componentName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" . | nindent 4 }}
  {{- include "parley.annotations" (dict "ctx" .ctx) }}
data:
  {{- include "parley.config.data" . | trim | nindent 2 }}
{{- end -}}
