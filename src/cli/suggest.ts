// "Did you mean …?" for mistyped commands: the shared function (src/suggest.ts), for the command line.
export { suggestName } from '../suggest';
