# parse_options.sh — sourced by skald's recipe scripts after they set their defaults.
#
#   beam=13; num_gpus=0
#   . utils/parse_options.sh
#
# turns "--beam 10 --num-gpus 2 rest..." into beam=10 num_gpus=2 and leaves "rest..." in "$@".
# Only variables that already exist can be set (a typo is an error, not a silent no-op);
# "--config FILE" sources FILE first; "--help" prints the script's leading comment block.

while [ $# -gt 0 ]; do
    case "$1" in
    --help|-h)
        sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0" >&2
        exit 0 ;;
    --config)
        [ $# -ge 2 ] || { echo "$0: --config needs a file" >&2; exit 1; }
        [ -f "$2" ] || { echo "$0: no such config file: $2" >&2; exit 1; }
        . "$2"
        shift 2 ;;
    --*=*)
        echo "$0: write options as '--name value', not '$1'" >&2; exit 1 ;;
    --*)
        _name=$(printf '%s' "${1#--}" | tr - _)
        case "$_name" in *[!a-zA-Z0-9_]*|'') echo "$0: bad option $1" >&2; exit 1 ;; esac
        if ! eval "[ \"\${$_name+set}\" = set ]"; then
            echo "$0: unknown option $1" >&2; exit 1
        fi
        [ $# -ge 2 ] || { echo "$0: option $1 needs a value" >&2; exit 1; }
        eval "$_name=\$2"
        shift 2 ;;
    *) break ;;
    esac
done
unset _name
