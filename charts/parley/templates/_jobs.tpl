{{/*
Migration Job of one service: `node services/<svc>/dist/migrate.js` with the service's image.
A Helm hook (pre-install/pre-upgrade; post-install in evaluation mode, where PostgreSQL is
part of the release and does not exist before install), so on install and upgrade the new
schema is in place before the new pods start. No initContainer: the hook is the only place
migrations run, once per release change, under the schema's advisory lock.
Takes (dict "ctx" $ "key" "auth" "name" "auth").
*/}}
{{- define "parley.component.migrationJob" -}}
{{- if .ctx.Values.migrations.enabled }}
{{- $values := index .ctx.Values .key -}}
{{- $m := .ctx.Values.migrations -}}
{{- $ctx := .ctx -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ printf "%s-migrate" (include "parley.componentName" .) | trunc 63 | trimSuffix "-" }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" (dict "ctx" .ctx "name" (printf "%s-migrate" .name)) | nindent 4 }}
  annotations:
    helm.sh/hook: {{ include "parley.migrations.hook" .ctx }}
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
    {{- with .ctx.Values.commonAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  backoffLimit: {{ $m.backoffLimit }}
  activeDeadlineSeconds: {{ $m.activeDeadlineSeconds }}
  template:
    metadata:
      labels:
        {{- include "parley.labels" (dict "ctx" .ctx "name" (printf "%s-migrate" .name)) | nindent 8 }}
    spec:
      restartPolicy: Never
      # The release's ServiceAccounts do not exist yet when a pre-install hook runs.
      automountServiceAccountToken: false
      {{- with include "parley.imagePullSecrets" .ctx | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      securityContext:
        {{- include "parley.podSecurityContext" (dict) | nindent 8 }}
      containers:
        - name: migrate
          image: {{ include "parley.image" (dict "image" $values.image "ctx" .ctx) }}
          imagePullPolicy: {{ $values.image.pullPolicy }}
          command: ["node", "services/{{ .name }}/dist/migrate.js"]
          env:
            - name: NODE_ENV
              value: production
            - name: LOG_LEVEL
              value: {{ .ctx.Values.config.logLevel | quote }}
            - name: DATABASE_POOL_SIZE
              value: "2"
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  {{- if .ctx.Values.externalDatabase.existingSecret }}
                  name: {{ .ctx.Values.externalDatabase.existingSecret }}
                  key: {{ .ctx.Values.externalDatabase.urlKey }}
                  {{- else if .ctx.Values.evaluation.enabled }}
                  name: {{ include "parley.datastoresSecretName" .ctx }}
                  key: database-url
                  {{- else }}
                  name: {{ include "parley.migrations.secretName" .ctx }}
                  key: database-url
                  {{- end }}
          resources:
            {{- toYaml $m.resources | nindent 12 }}
          securityContext:
            {{- include "parley.containerSecurityContext" (dict) | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
{{- end }}
{{- end -}}
