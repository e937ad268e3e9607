{{/*
The key-bootstrap hook Job (and its RBAC) runs only when nothing else provides the signing keys:
no auth.signingKeys.existingSecret and no operator (which creates and rotates them itself).
Renders "true" or nothing.
*/}}
{{- define "parley.keyBootstrap.enabled" -}}
{{- if and (not .Values.auth.signingKeys.existingSecret) (not .Values.operator.enabled) -}}true{{- end -}}
{{- end -}}

{{/* Hook metadata shared by the key-bootstrap objects; takes (dict "ctx" $ "weight" "-30"). */}}
{{- define "parley.keyBootstrap.metadata" -}}
name: {{ include "parley.componentName" (dict "ctx" .ctx "name" "key-bootstrap") }}
namespace: {{ .ctx.Release.Namespace }}
labels:
  {{- include "parley.labels" (dict "ctx" .ctx "name" "key-bootstrap") | nindent 2 }}
annotations:
  helm.sh/hook: pre-install,pre-upgrade
  helm.sh/hook-weight: {{ .weight | quote }}
  helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
  {{- with .ctx.Values.commonAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}
