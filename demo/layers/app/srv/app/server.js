import { createServer } from 'node:http'

createServer((_request, response) => response.end('hello from the container-gate demo\n')).listen(80)
