import { describe, expect, test } from '@jest/globals';
import {
  ChatTemplate,
  FALLBACK_CHAT_TEMPLATE,
  Tokenizer,
  chatTemplateFor,
  type ChatMessage,
} from '../src/tokenizer/index.js';
import { ggufSpec } from './tokenizer-fixtures.js';

/** meta-llama/Llama-2-7b-chat-hf `chat_template`, verbatim. */
const LLAMA2 = String.raw`{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}`;

/** Qwen/Qwen2-7B-Instruct `chat_template` (ChatML with a default system turn), verbatim. */
const QWEN2 = String.raw`{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}`;

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are helpful.' },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello!' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'How are' },
      { type: 'text', text: 'you?' },
    ],
  },
];

describe('chat templates', () => {
  test('llama-2 template with bos/eos and a system prompt', () => {
    const template = new ChatTemplate(LLAMA2, { bosToken: '<s>', eosToken: '</s>' });
    expect(template.render(conversation)).toBe(
      '<s>[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] How are\nyou? [/INST]',
    );
  });

  test('a rendered llama-2 prompt encodes with its special tokens and no doubled leading BOS', () => {
    const tokenizer = new Tokenizer({ ...ggufSpec(), chatTemplate: LLAMA2 });
    const prompt = chatTemplateFor(tokenizer).render(conversation);
    const ids = tokenizer.encode(prompt, { parseSpecial: true });
    expect(ids.filter((id) => id === tokenizer.bosId)).toHaveLength(2);
    expect(ids[0]).toBe(tokenizer.bosId);
    expect(ids[1]).not.toBe(tokenizer.bosId);
    expect(ids).toContain(tokenizer.eosId);
    expect(tokenizer.decode(ids, { skipSpecialTokens: false })).toBe(prompt);
  });

  test("a template's raise_exception comes out with its message", () => {
    const template = new ChatTemplate(LLAMA2, { bosToken: '<s>', eosToken: '</s>' });
    const bad = [
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ];
    expect(() => template.render(bad)).toThrow(
      'chat template: Conversation roles must alternate user/assistant/user/assistant/...',
    );
  });

  test('qwen2 ChatML template, with and without the generation prompt', () => {
    const template = new ChatTemplate(QWEN2, { eosToken: '<|im_end|>' });
    const messages = [{ role: 'user', content: 'Hi' }];
    const body =
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n';
    expect(template.render(messages)).toBe(`${body}<|im_start|>assistant\n`);
    expect(template.render(messages, { addGenerationPrompt: false })).toBe(body);
    expect(template.render(conversation.slice(0, 2))).toBe(
      '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  test('models without a template get the documented ChatML fallback', () => {
    const template = chatTemplateFor(new Tokenizer(ggufSpec()));
    expect(template.source).toBe(FALLBACK_CHAT_TEMPLATE);
    expect(template.render(conversation.slice(0, 3))).toBe(
      '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n' +
        '<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  test('extra variables reach the template', () => {
    const template = new ChatTemplate('{{ greeting }} {{ messages | length }}');
    expect(template.render([], { variables: { greeting: 'hi' } })).toBe('hi 0');
  });

  test('continueFinalMessage ends inside the final message, with no end of turn after it', () => {
    const template = new ChatTemplate(LLAMA2, { bosToken: '<s>', eosToken: '</s>' });
    const chat = conversation.slice(1, 3);
    expect(template.render(chat, { continueFinalMessage: true, addGenerationPrompt: false })).toBe(
      '<s>[INST] Hi [/INST] Hello!',
    );
    const skipped = new ChatTemplate("{{ messages[0]['content'] }}");
    expect(() => skipped.render(chat, { continueFinalMessage: true })).toThrow(
      'chat template: the final message does not appear in the rendered chat',
    );
  });

  test('withSource keeps the BOS and EOS texts', () => {
    const template = new ChatTemplate(QWEN2, { bosToken: '<s>', eosToken: '</s>' });
    expect(template.withSource('{{ bos_token }}{{ eos_token }}').render([])).toBe('<s></s>');
  });

  test('bad templates and messages fail clearly', () => {
    expect(() => new ChatTemplate('{% for m in messages %}')).toThrow('chat template: cannot parse');
    expect(() => new ChatTemplate('{{ nope() }}').render([])).toThrow('chat template: ');
    const image = [{ role: 'user', content: [{ type: 'image_url', text: 'x' }] }] as unknown as ChatMessage[];
    expect(() => new ChatTemplate(QWEN2).render(image)).toThrow(
      `chat messages[0].content[0]: expected {type: 'text', text}, got type "image_url"`,
    );
  });
});
