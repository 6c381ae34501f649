variable "name" {
  type        = string
  description = "Name of the alarm topic."
}

variable "alarm_email" {
  type        = string
  description = "E-mail address subscribed to the alarms (it must confirm the subscription)."
}
