{{/* chat-socket's scaling behaviour, shared by its HPA and its KEDA ScaledObject: scale up fast; scale down slowly and one pod at a time, since every removed pod reconnects its sockets. */}}
{{- define "parley.chatSocket.scalingBehavior" -}}
{{- printf `scaleUp:
  stabilizationWindowSeconds: 0
  policies:
    - type: Percent
      value: 100
      periodSeconds: 30
scaleDown:
  stabilizationWindowSeconds: %d
  policies:
    - type: Pods
      value: 1
      periodSeconds: 120` (int .Values.chatSocket.autoscaling.scaleDownStabilizationSeconds) -}}
{{- end -}}
{{/* "true" when KEDA scales chat-socket (sockets metric from KEDA's Prometheus scaler); nothing otherwise. */}}
{{- define "parley.chatSocket.kedaScaling" -}}
{{- $a := .Values.chatSocket.autoscaling -}}
{{- if and $a.enabled $a.sockets.enabled (eq $a.sockets.provider "keda") -}}true{{- end -}}
{{- end -}}
