/* ocx — functions that must not be used. Include last in a .c file. */
#pragma once
#undef strcpy
#define strcpy(a, b) BANNED_strcpy_use_snprintf_or_ocx_buf
#undef strcat
#define strcat(a, b) BANNED_strcat_use_ocx_buf
#undef sprintf
#define sprintf(...) BANNED_sprintf_use_snprintf
#undef vsprintf
#define vsprintf(...) BANNED_vsprintf_use_vsnprintf
#undef strtok
#define strtok(a, b) BANNED_strtok_use_strtok_r
#undef atoi
#define atoi(a) BANNED_atoi_use_strtol_with_checks
#undef gets
#define gets(a) BANNED_gets
#undef system
#define system(a) BANNED_system_use_fork_exec
#undef popen
#define popen(a, b) BANNED_popen_use_fork_exec
#undef cJSON_GetObjectItem
#define cJSON_GetObjectItem(a, b) BANNED_cJSON_GetObjectItem_use_ocx_json_get
#undef cJSON_Parse
#define cJSON_Parse(a) BANNED_cJSON_Parse_use_ocx_json_parse
