{{/*
An Ingress routing path prefixes to components. Takes
  (dict "ctx" $ "name" "<suffix>" "routes" (list (list "/path" "<values key>" "<component>") ...) "annotations" (dict ...)).
Only these public prefixes are routed: /internal/* and /admin/* live at each service's root
and are never reachable through the ingress.
*/}}
{{- define "parley.ingress" -}}
{{- $ctx := .ctx -}}
{{- $ingress := .ctx.Values.ingress -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "parley.componentName" (dict "ctx" .ctx "name" .name) }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "parley.labels" (dict "ctx" .ctx "name" .name) | nindent 4 }}
  {{- include "parley.annotations" (dict "ctx" .ctx "extra" (merge (dict) ($ingress.annotations | default dict) .annotations)) }}
spec:
  {{- with $ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- if $ingress.tls.enabled }}
  tls:
    - secretName: {{ $ingress.tls.secretName }}
      {{- with $ingress.host }}
      hosts:
        - {{ . | quote }}
      {{- end }}
  {{- end }}
  rules:
    {{- if $ingress.host }}
    - host: {{ $ingress.host | quote }}
      http:
    {{- else }}
    - http:
    {{- end }}
        paths:
          {{- range .routes }}
          - path: {{ index . 0 }}
            pathType: Prefix
            backend:
              service:
                name: {{ include "parley.componentName" (dict "ctx" $ctx "name" (index . 2)) }}
                port:
                  name: http
          {{- end }}
{{- end -}}
