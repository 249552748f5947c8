// bench/scan-rules.yar: YARA rules equivalent to vouch's built-in indicator patterns, for the
// peer pipeline of bench/scan.sh (and given to `vouch scan --yara` as well, so both sides
// run the same user rules on top of their own work).
rule url_cleartext { strings: $a = /(http|ftp|tftp|telnet):\/\/[a-zA-Z0-9.\-]{1,64}/ nocase condition: $a }
rule url_any { strings: $a = /(https|ftps|sftp|wss?|mqtts?|rtsp|ldaps?|ssh|smb|nfs):\/\/[a-zA-Z0-9.\-]{1,64}/ nocase condition: $a }
rule ipv4_literal { strings: $a = /[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/ condition: $a }
rule host_name { strings: $a = /[a-z0-9]\.(com|net|org|edu|gov|info|io|cn|ru|de|uk)[^a-zA-Z0-9_\/.\-]/ condition: $a }
rule snmp_community { strings: $a = /(ro|rw)community6?[ \t]/ nocase $b = /com2sec6?[ \t]/ nocase condition: any of them }
rule secret_kv { strings: $a = /(passw(or)?d|passphrase|pwd|secret|token|api[_\-]?key|access[_\-]?key)["']?[ \t]*[=:]/ nocase condition: $a }
rule aws_key { strings: $a = /(AKIA|ASIA)[0-9A-Z]{16}/ condition: $a }
rule github_token { strings: $a = /gh[pousr]_[A-Za-z0-9]{36}/ condition: $a }
rule url_userinfo { strings: $a = /:\/\/[^ \t\r\n\/:@]{1,64}:[^ \t\r\n\/@]{1,64}@/ condition: $a }
