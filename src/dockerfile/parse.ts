/** A Dockerfile as build stages of instructions with their lines (dockerfile-ast does the parsing). */
import { DockerfileParser, From, PropertyInstruction, type Instruction } from 'dockerfile-ast'
import { KEYWORDS, normalizeSpace, type Keyword } from './history.js'

export interface DockerInstruction {
  keyword: Keyword
  /** Arguments without flags (`--from=…`, `--chown=…`, `--mount=…`), whitespace collapsed. */
  args: string
  /** 1-based first line; an instruction continued over several lines keeps its first. */
  line: number
  /** COPY/ADD: the destination, as written. */
  destination?: string
  /** ENV/ARG/LABEL: the names it defines. */
  names?: string[]
}

export interface Stage {
  /** `FROM image AS name`: the name, lower-cased as the builder compares it. */
  name?: string
  /** The image or earlier stage it starts from, as written. */
  base: string
  /** 1-based line of its FROM. */
  fromLine: number
  instructions: DockerInstruction[]
}

function isKeyword(word: string): word is Keyword {
  return (KEYWORDS as readonly string[]).includes(word)
}

function names(instruction: Instruction): string[] | undefined {
  if (!(instruction instanceof PropertyInstruction)) return undefined
  return instruction.getProperties().map((property) => property.getName())
}

function toInstruction(instruction: Instruction, keyword: Keyword): DockerInstruction {
  const args = normalizeSpace(
    instruction
      .getArguments()
      .map((argument) => argument.getValue())
      .filter((value) => !(keyword === 'COPY' || keyword === 'ADD') || !value.startsWith('--'))
      .join(' ')
  )
  const parts = args.split(' ')
  const destination =
    (keyword === 'COPY' || keyword === 'ADD') && parts.length >= 2 ? parts.at(-1) : undefined
  const defined = names(instruction)
  return {
    keyword,
    args: keyword === 'RUN' ? normalizeSpace(instruction.getArgumentsContent() ?? '') : args,
    line: instruction.getRange().start.line + 1,
    ...(destination === undefined ? {} : { destination }),
    ...(defined === undefined ? {} : { names: defined })
  }
}

/** Stages in file order; instructions before the first FROM (global ARGs) belong to none. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = []
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase()
    if (instruction instanceof From || keyword === 'FROM') {
      const from = instruction as From
      const name = from.getBuildStage()
      stages.push({
        ...(name === null ? {} : { name: name.toLowerCase() }),
        base: from.getImage() ?? '',
        fromLine: instruction.getRange().start.line + 1,
        instructions: []
      })
    } else if (stages.length > 0 && isKeyword(keyword)) {
      stages.at(-1)!.instructions.push(toInstruction(instruction, keyword))
    }
  }
  return stages
}
