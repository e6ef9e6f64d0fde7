{{- /* Shared labels and image references of the reposign chart. */ -}}
{{- define "reposign.labels" -}}
app.kubernetes.io/part-of: reposign
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "reposign.operator.selector" -}}
app.kubernetes.io/name: reposign-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "reposign.feed.selector" -}}
app.kubernetes.io/name: reposign-signer-service
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "reposign.operator.image" -}}
{{ .Values.operator.image.repository }}:{{ default .Chart.AppVersion .Values.operator.image.tag }}
{{- end }}

{{- define "reposign.feed.image" -}}
{{ .Values.signerService.image.repository }}:{{ default .Chart.AppVersion .Values.signerService.image.tag }}
{{- end }}

{{- define "reposign.securityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}

{{- define "reposign.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- /* The feed's public address: signerService.publicBaseUrl, else the Ingress host, else the
  port-forward address that NOTES.txt prints. The feed refuses to listen beyond loopback without one. */}}
{{- define "reposign.feed.publicBaseUrl" -}}
{{- if .Values.signerService.publicBaseUrl -}}
{{ .Values.signerService.publicBaseUrl }}
{{- else -}}
{{- if .Values.signerService.ingress.enabled -}}
http{{ if .Values.signerService.ingress.tlsSecretName }}s{{ end }}://{{ .Values.signerService.ingress.host }}
{{- else -}}
http://localhost:5000
{{- end -}}
{{- end -}}
{{- end -}}
